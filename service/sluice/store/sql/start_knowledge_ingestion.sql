-- start_knowledge_ingestion: record an ingestion job and the chunking it uses as the knowledge
-- base's last. $1 knowledge base id, $2 job id, $3 chunk size, $4 chunk overlap, $5 separator
update knowledge_bases
set last_job_id = $2, chunk_size = $3, chunk_overlap = $4, separator = $5, updated_at = now()
where id = $1
