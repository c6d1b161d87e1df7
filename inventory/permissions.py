"""The permission recording a stock move needs (`POST /moves`, the admin's "Record a move")."""

RECORD_MOVE = "inventory.post_stockmove"
