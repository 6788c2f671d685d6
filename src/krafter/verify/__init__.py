"""`krafter verify`: failover drills under load, judged the way Kafka's own system tests judge them."""
