-- finish_claimed: mark the jobs the claim-latency probe took as completed, so workers never wait on them.
update jobs set status = 'completed', finished_at = now(), lease_expires_at = null where status = 'in_progress'
