// Package job owns durable jobs: long work — imports, reindexing, bulk
// assessment, federation sync — queued as rows of the jobs table (payload in
// job_payloads), claimed by worker goroutines, and reported through
// progress (done/total, message) that pages poll.
//
// A module enqueues a job inside the transaction of the write that asks for
// it (Service.Enqueue), so the job exists exactly when that write commits.
// Workers claim queued jobs with SELECT … FOR UPDATE SKIP LOCKED on
// PostgreSQL and an atomic UPDATE … WHERE state = 'queued' on SQLite, so
// several processes on one PostgreSQL database never run a job twice.
//
// # The handler contract: all or nothing
//
// A job is never retried and never half-applied silently. A handler does
// all of its writes in one transaction through Run.InTx, which marks the job
// done in that same transaction: either the writes and "done" commit
// together, or neither does. A handler that returns an error, panics, or is
// cut short by a crash leaves no writes behind and its job ends "failed"
// with the reason. When a process dies mid-job, its jobs stay "running"
// until Start in the next process (SQLite: at once; PostgreSQL: once the
// job's heartbeat is older than StaleAfter, so that live nodes keep theirs)
// marks them failed with InterruptedError. A handler that must write in
// several transactions has to be idempotent and say so in its doc comment.
//
// job imports sqldb, audit and apperr. It must not import account or any
// module: modules register handlers with it, not the other way round.
//
// 术语表 Glossary:
//
//	任务 job   任务类型 kind   排队 queued   运行中 running   完成 done   失败 failed
//	进度 progress   负载 payload（如上传的 Excel 文件）   工作协程 worker
//	认领 claim   心跳 heartbeat   中断 interrupted   发起人 owner
package job
