-- 006: how a run submitted in Langflow 1.13's body (rather than the documented one) is answered.
--
-- The 1.13 body names its mode (sync, stream, background), its stream protocol (langflow, agui),
-- whether its stream shows the graph's state, and which outputs answer it. Its status reads and its
-- event stream answer in that form, so the job keeps them beside its inputs. Null for the documented
-- body, whose answers stay as documented.
alter table job_inputs add column request jsonb;
