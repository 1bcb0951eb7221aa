"""Settings for ``make bench-county``'s web processes: the product's own, with the lab's bare views added
to the URL table (``lab.countyurls``), so production never serves them."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "lab.countyurls"
