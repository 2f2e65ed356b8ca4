import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.http_validation_error import HTTPValidationError
from ...models.pipeline_metrics_req_body import PipelineMetricsReqBody
from ...models.pipeline_metrics_res import PipelineMetricsRes
from ...models.search_pipelines_metrics_sort_dir_type_0 import (
    SearchPipelinesMetricsSortDirType0,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: None | PipelineMetricsReqBody | Unset = UNSET,
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
    sort_dir: None | SearchPipelinesMetricsSortDirType0 | Unset = UNSET,
) -> dict[str, Any]:
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
        "url": "/pipelines/metrics",
        "params": params,
    }

    if isinstance(body, PipelineMetricsReqBody):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HTTPValidationError | PipelineMetricsRes | None:
    if response.status_code == 200:
        response_200 = PipelineMetricsRes.from_dict(response.json())

        return response_200

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[HTTPValidationError | PipelineMetricsRes]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: None | PipelineMetricsReqBody | Unset = UNSET,
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
    sort_dir: None | SearchPipelinesMetricsSortDirType0 | Unset = UNSET,
) -> Response[HTTPValidationError | PipelineMetricsRes]:
    """Get pipeline metrics (POST)

     POST alternative for GET /pipelines/metrics. Use when URL length limits are exceeded (e.g., 100+
    IDs). Supports both query parameters and request body. Body parameters take precedence over query
    parameters.

    Args:
        id (None | str | Unset): Entity identifier to fetch metrics for
        topic_list_from (int | None | Unset): Starting index for topic list pagination
        topic_list_size (int | None | Unset): Number of topics to return in the list
        from_ (int | None | str | Unset): Starting key for cursor-based pagination
        size (int | None | Unset): Number of results to return
        level (None | str | Unset): Metrics aggregation level (e.g., 'connector', 'task', 'topic')
        page (int | None | str | Unset): Page number for pagination
        timestamp_to (datetime.datetime | None | str | Unset): End timestamp for metrics range
            (ISO 8601, e.g., '2025-01-15T10:00:00Z')
        timestamp_from (datetime.datetime | None | str | Unset): Start timestamp for metrics range
            (ISO 8601, e.g., '2025-01-15T09:00:00Z')
        time_unit (None | str | Unset): Time unit for aggregation (e.g., 'minute', 'hour', 'day')
        time_interval (int | None | str | Unset): Time interval value for aggregation
        time_type (None | str | Unset): Type of time-based query: 'timeseries', 'latest', or
            'timesummary'
        tenant_ids (None | str | Unset): A comma-separated list of Tenant IDs
        ids (None | str | Unset): A comma-separated list of pipeline IDs
        snapshot (None | str | Unset): Snapshot status filter
        sort (None | str | Unset): Field to sort results by
        sort_dir (None | SearchPipelinesMetricsSortDirType0 | Unset): Sort direction: 'asc' or
            'desc'
        body (None | PipelineMetricsReqBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | PipelineMetricsRes]
    """

    kwargs = _get_kwargs(
        body=body,
        id=id,
        topic_list_from=topic_list_from,
        topic_list_size=topic_list_size,
        from_=from_,
        size=size,
        level=level,
        page=page,
        timestamp_to=timestamp_to,
        timestamp_from=timestamp_from,
        time_unit=time_unit,
        time_interval=time_interval,
        time_type=time_type,
        tenant_ids=tenant_ids,
        ids=ids,
        snapshot=snapshot,
        sort=sort,
        sort_dir=sort_dir,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: None | PipelineMetricsReqBody | Unset = UNSET,
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
    sort_dir: None | SearchPipelinesMetricsSortDirType0 | Unset = UNSET,
) -> HTTPValidationError | PipelineMetricsRes | None:
    """Get pipeline metrics (POST)

     POST alternative for GET /pipelines/metrics. Use when URL length limits are exceeded (e.g., 100+
    IDs). Supports both query parameters and request body. Body parameters take precedence over query
    parameters.

    Args:
        id (None | str | Unset): Entity identifier to fetch metrics for
        topic_list_from (int | None | Unset): Starting index for topic list pagination
        topic_list_size (int | None | Unset): Number of topics to return in the list
        from_ (int | None | str | Unset): Starting key for cursor-based pagination
        size (int | None | Unset): Number of results to return
        level (None | str | Unset): Metrics aggregation level (e.g., 'connector', 'task', 'topic')
        page (int | None | str | Unset): Page number for pagination
        timestamp_to (datetime.datetime | None | str | Unset): End timestamp for metrics range
            (ISO 8601, e.g., '2025-01-15T10:00:00Z')
        timestamp_from (datetime.datetime | None | str | Unset): Start timestamp for metrics range
            (ISO 8601, e.g., '2025-01-15T09:00:00Z')
        time_unit (None | str | Unset): Time unit for aggregation (e.g., 'minute', 'hour', 'day')
        time_interval (int | None | str | Unset): Time interval value for aggregation
        time_type (None | str | Unset): Type of time-based query: 'timeseries', 'latest', or
            'timesummary'
        tenant_ids (None | str | Unset): A comma-separated list of Tenant IDs
        ids (None | str | Unset): A comma-separated list of pipeline IDs
        snapshot (None | str | Unset): Snapshot status filter
        sort (None | str | Unset): Field to sort results by
        sort_dir (None | SearchPipelinesMetricsSortDirType0 | Unset): Sort direction: 'asc' or
            'desc'
        body (None | PipelineMetricsReqBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | PipelineMetricsRes
    """

    return sync_detailed(
        client=client,
        body=body,
        id=id,
        topic_list_from=topic_list_from,
        topic_list_size=topic_list_size,
        from_=from_,
        size=size,
        level=level,
        page=page,
        timestamp_to=timestamp_to,
        timestamp_from=timestamp_from,
        time_unit=time_unit,
        time_interval=time_interval,
        time_type=time_type,
        tenant_ids=tenant_ids,
        ids=ids,
        snapshot=snapshot,
        sort=sort,
        sort_dir=sort_dir,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: None | PipelineMetricsReqBody | Unset = UNSET,
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
    sort_dir: None | SearchPipelinesMetricsSortDirType0 | Unset = UNSET,
) -> Response[HTTPValidationError | PipelineMetricsRes]:
    """Get pipeline metrics (POST)

     POST alternative for GET /pipelines/metrics. Use when URL length limits are exceeded (e.g., 100+
    IDs). Supports both query parameters and request body. Body parameters take precedence over query
    parameters.

    Args:
        id (None | str | Unset): Entity identifier to fetch metrics for
        topic_list_from (int | None | Unset): Starting index for topic list pagination
        topic_list_size (int | None | Unset): Number of topics to return in the list
        from_ (int | None | str | Unset): Starting key for cursor-based pagination
        size (int | None | Unset): Number of results to return
        level (None | str | Unset): Metrics aggregation level (e.g., 'connector', 'task', 'topic')
        page (int | None | str | Unset): Page number for pagination
        timestamp_to (datetime.datetime | None | str | Unset): End timestamp for metrics range
            (ISO 8601, e.g., '2025-01-15T10:00:00Z')
        timestamp_from (datetime.datetime | None | str | Unset): Start timestamp for metrics range
            (ISO 8601, e.g., '2025-01-15T09:00:00Z')
        time_unit (None | str | Unset): Time unit for aggregation (e.g., 'minute', 'hour', 'day')
        time_interval (int | None | str | Unset): Time interval value for aggregation
        time_type (None | str | Unset): Type of time-based query: 'timeseries', 'latest', or
            'timesummary'
        tenant_ids (None | str | Unset): A comma-separated list of Tenant IDs
        ids (None | str | Unset): A comma-separated list of pipeline IDs
        snapshot (None | str | Unset): Snapshot status filter
        sort (None | str | Unset): Field to sort results by
        sort_dir (None | SearchPipelinesMetricsSortDirType0 | Unset): Sort direction: 'asc' or
            'desc'
        body (None | PipelineMetricsReqBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HTTPValidationError | PipelineMetricsRes]
    """

    kwargs = _get_kwargs(
        body=body,
        id=id,
        topic_list_from=topic_list_from,
        topic_list_size=topic_list_size,
        from_=from_,
        size=size,
        level=level,
        page=page,
        timestamp_to=timestamp_to,
        timestamp_from=timestamp_from,
        time_unit=time_unit,
        time_interval=time_interval,
        time_type=time_type,
        tenant_ids=tenant_ids,
        ids=ids,
        snapshot=snapshot,
        sort=sort,
        sort_dir=sort_dir,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: None | PipelineMetricsReqBody | Unset = UNSET,
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
    sort_dir: None | SearchPipelinesMetricsSortDirType0 | Unset = UNSET,
) -> HTTPValidationError | PipelineMetricsRes | None:
    """Get pipeline metrics (POST)

     POST alternative for GET /pipelines/metrics. Use when URL length limits are exceeded (e.g., 100+
    IDs). Supports both query parameters and request body. Body parameters take precedence over query
    parameters.

    Args:
        id (None | str | Unset): Entity identifier to fetch metrics for
        topic_list_from (int | None | Unset): Starting index for topic list pagination
        topic_list_size (int | None | Unset): Number of topics to return in the list
        from_ (int | None | str | Unset): Starting key for cursor-based pagination
        size (int | None | Unset): Number of results to return
        level (None | str | Unset): Metrics aggregation level (e.g., 'connector', 'task', 'topic')
        page (int | None | str | Unset): Page number for pagination
        timestamp_to (datetime.datetime | None | str | Unset): End timestamp for metrics range
            (ISO 8601, e.g., '2025-01-15T10:00:00Z')
        timestamp_from (datetime.datetime | None | str | Unset): Start timestamp for metrics range
            (ISO 8601, e.g., '2025-01-15T09:00:00Z')
        time_unit (None | str | Unset): Time unit for aggregation (e.g., 'minute', 'hour', 'day')
        time_interval (int | None | str | Unset): Time interval value for aggregation
        time_type (None | str | Unset): Type of time-based query: 'timeseries', 'latest', or
            'timesummary'
        tenant_ids (None | str | Unset): A comma-separated list of Tenant IDs
        ids (None | str | Unset): A comma-separated list of pipeline IDs
        snapshot (None | str | Unset): Snapshot status filter
        sort (None | str | Unset): Field to sort results by
        sort_dir (None | SearchPipelinesMetricsSortDirType0 | Unset): Sort direction: 'asc' or
            'desc'
        body (None | PipelineMetricsReqBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HTTPValidationError | PipelineMetricsRes
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            id=id,
            topic_list_from=topic_list_from,
            topic_list_size=topic_list_size,
            from_=from_,
            size=size,
            level=level,
            page=page,
            timestamp_to=timestamp_to,
            timestamp_from=timestamp_from,
            time_unit=time_unit,
            time_interval=time_interval,
            time_type=time_type,
            tenant_ids=tenant_ids,
            ids=ids,
            snapshot=snapshot,
            sort=sort,
            sort_dir=sort_dir,
        )
    ).parsed
