import datetime
from typing import Any

from ...models.destination_metrics_req_body import DestinationMetricsReqBody
from ...models.sort_dir import SortDir
from ...types import UNSET, Unset


def build_request_kwargs(
    *,
    body: DestinationMetricsReqBody | None | Unset = UNSET,
    id: None | str | Unset = UNSET,
    topic_list_from: int | None | Unset = UNSET,
    topic_list_size: int | None | Unset = UNSET,
    from_: int | None | str | Unset = UNSET,
    size: int | None | Unset = UNSET,
    level: None | str | Unset = UNSET,
    page: int | None | str | Unset = UNSET,
    timestamp_to: datetime.datetime | None | str | Unset = UNSET,
    timestamp_from: datetime.datetime | None | str | Unset = UNSET,
    time_unit: None | str | Unset = UNSET,
    time_interval: int | None | str | Unset = UNSET,
    time_type: None | str | Unset = UNSET,
    tenant_ids: None | str | Unset = UNSET,
    ids: None | str | Unset = UNSET,
    snapshot: None | str | Unset = UNSET,
    sort: None | str | Unset = UNSET,
    sort_dir: None | SortDir | Unset = UNSET,
) -> dict[str, Any]:
    """`httpx.Client.build_request` keyword arguments for search_destinations_metrics.

    The public request builder of this operation (the SDK sends, retries and decodes itself).
    """
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_id: None | str | Unset
    if isinstance(id, Unset):
        json_id = UNSET
    else:
        json_id = id
    params["id"] = json_id

    json_topic_list_from: int | None | Unset
    if isinstance(topic_list_from, Unset):
        json_topic_list_from = UNSET
    else:
        json_topic_list_from = topic_list_from
    params["topic_list_from"] = json_topic_list_from

    json_topic_list_size: int | None | Unset
    if isinstance(topic_list_size, Unset):
        json_topic_list_size = UNSET
    else:
        json_topic_list_size = topic_list_size
    params["topic_list_size"] = json_topic_list_size

    json_from_: int | None | str | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_size: int | None | Unset
    if isinstance(size, Unset):
        json_size = UNSET
    else:
        json_size = size
    params["size"] = json_size

    json_level: None | str | Unset
    if isinstance(level, Unset):
        json_level = UNSET
    else:
        json_level = level
    params["level"] = json_level

    json_page: int | None | str | Unset
    if isinstance(page, Unset):
        json_page = UNSET
    else:
        json_page = page
    params["page"] = json_page

    json_timestamp_to: None | str | Unset
    if isinstance(timestamp_to, Unset):
        json_timestamp_to = UNSET
    elif isinstance(timestamp_to, datetime.datetime):
        json_timestamp_to = timestamp_to.isoformat()
    else:
        json_timestamp_to = timestamp_to
    params["timestamp_to"] = json_timestamp_to

    json_timestamp_from: None | str | Unset
    if isinstance(timestamp_from, Unset):
        json_timestamp_from = UNSET
    elif isinstance(timestamp_from, datetime.datetime):
        json_timestamp_from = timestamp_from.isoformat()
    else:
        json_timestamp_from = timestamp_from
    params["timestamp_from"] = json_timestamp_from

    json_time_unit: None | str | Unset
    if isinstance(time_unit, Unset):
        json_time_unit = UNSET
    else:
        json_time_unit = time_unit
    params["time_unit"] = json_time_unit

    json_time_interval: int | None | str | Unset
    if isinstance(time_interval, Unset):
        json_time_interval = UNSET
    else:
        json_time_interval = time_interval
    params["time_interval"] = json_time_interval

    json_time_type: None | str | Unset
    if isinstance(time_type, Unset):
        json_time_type = UNSET
    else:
        json_time_type = time_type
    params["time_type"] = json_time_type

    json_tenant_ids: None | str | Unset
    if isinstance(tenant_ids, Unset):
        json_tenant_ids = UNSET
    else:
        json_tenant_ids = tenant_ids
    params["tenant_ids"] = json_tenant_ids

    json_ids: None | str | Unset
    if isinstance(ids, Unset):
        json_ids = UNSET
    else:
        json_ids = ids
    params["ids"] = json_ids

    json_snapshot: None | str | Unset
    if isinstance(snapshot, Unset):
        json_snapshot = UNSET
    else:
        json_snapshot = snapshot
    params["snapshot"] = json_snapshot

    json_sort: None | str | Unset
    if isinstance(sort, Unset):
        json_sort = UNSET
    else:
        json_sort = sort
    params["sort"] = json_sort

    json_sort_dir: None | str | Unset
    if isinstance(sort_dir, Unset):
        json_sort_dir = UNSET
    elif isinstance(sort_dir, str):
        json_sort_dir = sort_dir
    else:
        json_sort_dir = sort_dir
    params["sort_dir"] = json_sort_dir

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/destinations/metrics",
        "params": params,
    }

    if isinstance(body, DestinationMetricsReqBody):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs
