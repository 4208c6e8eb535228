-- read_pause: a job's pause, for the run that continues it (decision and checkpoint) and for checks.
select request_id, request, checkpoint, decision, deadline
from job_pauses
where job_id = $1
