import time

from engine.jobs import Job
from engine.progress import Reporter


def slow_count(n: int, reporter: Reporter) -> int:
    for i in range(n):
        reporter.update(i / n, f"step {i}")
        time.sleep(0.01)
    return n


def test_a_job_runs_in_the_background_and_returns():
    job = Job("count", slow_count, 20)
    assert job.wait(10) and job.result == 20 and job.fraction == 1.0 and job.error is None


def test_a_job_can_be_cancelled_midway():
    job = Job("count", slow_count, 10_000)
    time.sleep(0.1)
    job.cancel()
    assert job.wait(10) and job.cancelled and job.result is None
    assert 0 < job.fraction < 0.5


def test_errors_are_kept_for_the_user_not_raised():
    def broken(reporter):
        raise ValueError("bad input: fewer than 2 items")

    job = Job("broken", broken)
    assert job.wait(10) and job.error == "bad input: fewer than 2 items" and "Traceback" in job.error_detail


def test_bad_input_is_said_without_a_traceback_to_report():
    from engine.data import DataError

    def refused(reporter):
        raise DataError("table has 3 items: clustering needs at least 4")

    job = Job("refused", refused)
    assert job.wait(10) and job.error == "table has 3 items: clustering needs at least 4" and job.error_detail is None
