"""Quickstart: latest metrics for 150 pipelines and a destination's last hour.

Reads STREAMKAP_CLIENT_ID, STREAMKAP_SECRET and STREAMKAP_HOST (`make demo` sets them to a local
sandbox).
"""

from __future__ import annotations

import datetime as dt

from streamkap_sdk import StreamkapClient, entities, present

PIPELINE_IDS = [f"pipeline-{n:03d}" for n in range(150)]
DESTINATION_ID = "destination-001"


def main() -> None:
    with StreamkapClient() as client:
        pipelines = client.pipelines.metrics(PIPELINE_IDS, time_type="latest")
        rows = (
            pipelines.connector_metrics.additional_properties if pipelines.connector_metrics else {}
        )
        print(f"Latest metrics for {len(rows)} pipelines (first 5):")
        table = {
            pipeline_id: present(metrics.latest, f"latest metrics of {pipeline_id}").to_dict()
            for pipeline_id, metrics in list(rows.items())[:5]
        }
        # every metric the API sent (the spec's and any newer one), in the API's own names
        names = list(dict.fromkeys(name for values in table.values() for name in values))
        print("  " + f"{'pipeline':<14}" + "".join(f"{name:>14}" for name in names))
        for pipeline_id, values in table.items():
            cells = "".join(f"{values.get(name)!s:>14}" for name in names)
            print(f"  {pipeline_id:<14}{cells}")

        destination = client.destinations.metrics(
            [DESTINATION_ID], time_type="timeseries", time_unit="minute",
            since=dt.timedelta(hours=1),
        )  # fmt: skip
        series = present(entities(destination.connector_metrics)[DESTINATION_ID].timeseries)
        points = present(series.latency, "latency series")
        print(f"\nDestination {DESTINATION_ID}: latency over the last hour ({len(points)} points)")
        for point in points[-5:]:
            print(f"  {point.timestamp}  {point.value:>9.3f}")


if __name__ == "__main__":
    main()
