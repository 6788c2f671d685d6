"""The planner: CRs (+ what already exists) -> a complete, platform-agnostic ClusterPlan.

Pure functions only; the same inputs always give the same plan, which is what lets
`krafter render` show exactly what the operator will create.
"""
