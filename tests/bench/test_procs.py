import os
import sys

from bench.procs import child_pids, proc_status_kb, run_measured


def test_a_command_reports_its_wall_time_peak_rss_and_output():
    code = "x = bytearray(64 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096]); print('done')"

    result = run_measured([sys.executable, "-c", code], timeout_s=20)

    assert result.ok
    assert result.returncode == 0
    assert result.peak_rss_mb >= 64
    assert 0 < result.wall_s < 20
    assert result.stdout_tail.strip() == "done"


def test_a_failing_command_keeps_its_exit_code_and_stderr():
    result = run_measured([sys.executable, "-c", "import sys; sys.exit('boom')"], timeout_s=20)

    assert not result.ok
    assert result.returncode == 1
    assert "boom" in result.stderr_tail


def test_a_command_past_its_timeout_is_killed():
    result = run_measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=0.3)

    assert result.timed_out
    assert not result.ok
    assert result.wall_s < 5


def test_proc_status_reads_peak_rss_of_a_live_process_only():
    assert proc_status_kb(os.getpid(), "VmHWM") > 0
    assert proc_status_kb(os.getpid(), "NoSuchField") is None
    assert proc_status_kb(2**22 + 12345, "VmHWM") is None


def test_child_pids_lists_the_children_of_a_process():
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert child.pid in child_pids(os.getpid())
    finally:
        child.kill()
        child.wait()


def test_a_command_reports_its_own_peak_not_the_larger_peak_of_the_process_starting_it():
    # Linux keeps ru_maxrss across exec: started straight from a large process, a tiny command
    # would report that process's peak.
    ballast = bytearray(256 * 1024 * 1024)
    ballast[::4096] = b"1" * len(ballast[::4096])

    result = run_measured([sys.executable, "-c", "pass"], timeout_s=20)

    assert result.ok
    assert 0 < result.peak_rss_mb < 128
    del ballast


def test_a_killed_command_reports_the_signal_as_a_negative_exit_code():
    result = run_measured(
        [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"],
        timeout_s=20,
    )

    assert result.returncode == -15
    assert not result.ok
