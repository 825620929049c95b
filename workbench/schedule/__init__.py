"""`schedule.yaml`: playbooks run on cron expressions, one at a time per job, missed runs coalesced.

    timezone: UTC
    jobs:
      - name: detect
        cron: "*/15 * * * *"
        playbook: detect
        command: detect                    # what --print-crontab runs instead of `schedule --job detect`

The workspace's `schedule.yaml` wins over the bundled default. A job is due when its most recent
cron slot is later than the slot it last ran for: after downtime it runs once, not once per
missed slot. A job never run is due at once. Each job holds `<state>/locks/<name>.lock`
(non-blocking flock) while it runs, so a second scheduler, a cron line or a thread finding it
held skips the job instead of running it twice. Job state is `<state>/schedule.json`.
"""

from workbench.schedule.runner import (
    JobBusy,
    JobResult,
    ScheduleState,
    due_jobs,
    job_lock,
    run_forever,
    run_job,
    run_pending,
    seconds_until_next,
)
from workbench.schedule.spec import (
    SCHEDULE_FILE,
    Job,
    JobSpec,
    Schedule,
    ScheduleIssue,
    check_schedule,
    crontab_lines,
    find_schedule_file,
    last_slot,
    load_schedule,
    mantissa_executable,
    missed_slots,
    next_slot,
)

__all__ = ["SCHEDULE_FILE", "Job", "JobBusy", "JobResult", "JobSpec", "Schedule", "ScheduleIssue",
           "ScheduleState", "check_schedule", "crontab_lines", "due_jobs", "find_schedule_file", "job_lock",
           "last_slot", "load_schedule", "mantissa_executable", "missed_slots", "next_slot", "run_forever",
           "run_job", "run_pending", "seconds_until_next"]
