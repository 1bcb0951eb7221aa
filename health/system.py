"""Django system checks of the broker (``manage.py check``; tag ``nuanxin``).

- ``health.E001``: the broker's ``maxmemory-policy`` is not ``noeviction`` (Redis may drop queued tasks).
- ``health.E002``: ``NUANXIN_REQUIRE_BROKER_PERSISTENCE`` is true and the broker has neither AOF nor an
  RDB save schedule.
- ``health.W001``: the broker is unreachable (the other checks are skipped; never an error, so a command
  run while Redis is down still works).
- ``health.W002``: the policy or persistence settings cannot be read (CONFIG refused, e.g. managed Redis).

The probe gives up after 0.5 s per call, so ``check`` stays quick even on a broker that never answers.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from . import broker

TAG = "nuanxin"


@checks.register(TAG)
def broker_checks(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """E001, E002, W001, W002 above, from one probe of ``settings.CELERY_BROKER_URL``."""
    found = broker.probe(settings.CELERY_BROKER_URL)
    if not found.reachable:
        return [
            checks.Warning(
                f"The Celery broker (Redis) is not reachable ({found.error}): its eviction policy and "
                "persistence were not checked.",
                hint="Start Redis, or check REDIS_URL.",
                id="health.W001",
            )
        ]
    messages: list[checks.CheckMessage] = []
    if found.policy is None:
        messages.append(
            checks.Warning(
                "The broker's maxmemory-policy cannot be read (CONFIG GET refused).",
                hint="Make sure it is noeviction (deploy/redis.conf).",
                id="health.W002",
            )
        )
    elif not found.policy_ok:
        messages.append(
            checks.Error(
                f"The broker's maxmemory-policy is '{found.policy}', not 'noeviction': Redis may silently "
                "drop queued tasks when memory runs short. Workers refuse to start.",
                hint="Set `maxmemory-policy noeviction` in redis.conf (deploy/redis.conf).",
                id="health.E001",
            )
        )
    if settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE:
        if found.persistent is None:
            messages.append(
                checks.Warning(
                    "The broker's persistence settings cannot be read (CONFIG GET refused).",
                    hint="Make sure AOF is on (deploy/redis.conf).",
                    id="health.W002",
                )
            )
        elif not found.persistent:
            messages.append(
                checks.Error(
                    "The broker keeps nothing on disk (no AOF, no RDB save) and "
                    "NUANXIN_REQUIRE_BROKER_PERSISTENCE is on: a Redis restart loses every queued task.",
                    hint="Set `appendonly yes` and `appendfsync everysec` (deploy/redis.conf).",
                    id="health.E002",
                )
            )
    return messages
