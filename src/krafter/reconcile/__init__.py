"""KafkaTopic and KafkaUser reconcilers: desired resources in, Kafka changed, statuses out.

Each reconciler takes a whole batch of resources per call, reads Kafka's state with a few
batched Admin requests, decides every change with pure functions (`topic_plan`,
`user_plan`), applies the changes with batched requests again, and returns one result per
resource. Kubernetes is never touched here: the operator writes statuses, finalizers,
Events and Secrets from the results, the local platform writes files.
"""
