"""Door delivery and central collection (送货上门、集中回收): places, couriers' runs, hand-over to the
firm."""
