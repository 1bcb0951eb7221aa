"""The transactional outbox: Celery messages written in the caller's transaction, published after commit
(a fast path that gives up in about 100 ms) or later by the relay, each marked sent once."""
