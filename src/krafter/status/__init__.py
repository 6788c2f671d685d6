"""Status of Krafter's resources as Strimzi writes it: conditions, listeners, node pools.

Pure: built from the plan, what was observed and the findings; the operator writes the result
only when it differs from what the resource already shows.
"""
