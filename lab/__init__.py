"""The lab (研究与基准): what measures the product without being part of it.

Owns ``simulate`` (N demo days through the real flow and a real Celery worker, ``lab.simulation``, the
couriers' side in ``lab.simcourier``), the fairness comparison of the two dispatch policies
(``lab.fairness``), the benchmarks ``bench`` and ``bench_export`` and their bulk data (``lab.benchdata``).
It imports the production apps; no production
module imports it (an import-linter contract, ``make lint``).
"""
