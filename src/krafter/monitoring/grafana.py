"""Grafana dashboard JSON from `panels.Dashboard` values.

Panels are laid out in rows, four (or eight stat tiles) to a row; every query gets the
dashboard's scope matchers. The JSON is what Grafana's dashboard sidecar and "Import" take.
"""

from __future__ import annotations

from typing import Any

from krafter.monitoring import names
from krafter.monitoring.panels import Dashboard, Panel

_WIDTH = 24
_DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def expressions(dashboard: Dashboard, panel: Panel) -> list[str]:
    """The panel's queries as Grafana sends them (variables still in)."""
    return [names.scoped(query.expr, dashboard.scope) for query in panel.queries]


def _panel(dashboard: Dashboard, panel: Panel, panel_id: int, grid: dict[str, int]) -> dict[str, Any]:
    refs = "ABCDEFGH"
    return {
        "id": panel_id,
        "type": "stat" if panel.stat else "timeseries",
        "title": panel.title,
        "description": panel.description,
        "datasource": _DATASOURCE,
        "gridPos": grid,
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}} if not panel.stat else {},
        "targets": [
            {"refId": refs[i], "datasource": _DATASOURCE, "expr": expr, "legendFormat": query.legend}
            for i, (query, expr) in enumerate(zip(panel.queries, expressions(dashboard, panel), strict=True))
        ],
    }


def _variables(dashboard: Dashboard) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "current": {}}
    ]
    for variable in dashboard.variables:
        listed.append(
            {
                "name": variable.name,
                "label": variable.label,
                "type": "query",
                "datasource": _DATASOURCE,
                "query": {"query": variable.query, "refId": variable.name},
                "definition": variable.query,
                "refresh": 2,
                "includeAll": True,
                "multi": True,
                "allValue": ".*",
                "current": {},
                "sort": 1,
            }
        )
    return listed


def render(dashboard: Dashboard) -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    next_id, y = 1, 0
    for row in dashboard.rows:
        panels.append(
            {
                "id": next_id,
                "type": "row",
                "title": row.title,
                "collapsed": False,
                "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
            }
        )
        next_id, y, x = next_id + 1, y + 1, 0
        for panel in row.panels:
            width, height = (3, 4) if panel.stat else (12 if len(row.panels) <= 2 else 8, 8)
            if x + width > _WIDTH:
                x, y = 0, y + height
            panels.append(_panel(dashboard, panel, next_id, {"x": x, "y": y, "w": width, "h": height}))
            next_id, x = next_id + 1, x + width
        y += 8
    return {
        "uid": dashboard.uid,
        "title": dashboard.title,
        "description": dashboard.description,
        "tags": list(dashboard.tags),
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": _variables(dashboard)},
        "annotations": {"list": []},
        "panels": panels,
    }
