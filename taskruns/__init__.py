"""Bounded deliveries: every Celery task delivery counted in the database before its body runs, and a task
delivered too often (its process killed each time, or its time limit hit each time) refused and marked
failed, with a message to the admins; a failed run is retried by staff through the outbox."""
