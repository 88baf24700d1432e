"""The SLO spec document (apiVersion sre.dev/v1) as written in YAML, as typed models.

YAML field names are camelCase like every Kubernetes-style manifest; Python attributes are
snake_case. The models check shape and single-field rules; rules that span fields or files
(bucket boundaries, unique names, PromQL parsing, runbook files) live in `validate.py` so that every problem
of a run is reported, not only the first. What generators read is the resolved `model.Slo`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails

from sre_cli import slomath
from sre_cli.promql_selectors import parse_selector, strip_comments

API_VERSION = "sre.dev/v1"
DNS_LABEL = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
# A Prometheus label name that is not reserved: names starting with `__` belong to Prometheus.
LABEL_NAME = r"^([a-zA-Z][a-zA-Z0-9_]*|_([a-zA-Z0-9][a-zA-Z0-9_]*)?)$"


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        populate_by_name=False,
        frozen=True,
        # inf/nan would pass range checks on open sides (`value: .inf` as a threshold) and
        # cannot be written into PromQL or CloudWatch thresholds anyway.
        allow_inf_nan=False,
    )


# Editors validate with the JSON Schema only: rules the model enforces in validators are
# repeated there where JSON Schema can say them.
_ONLY_PATTERN_KEYS: dict[str, Any] = {"additionalProperties": False}
_GOOD_XOR_BAD = ConfigDict(json_schema_extra={"oneOf": [{"required": ["good"]}, {"required": ["bad"]}]})

DURATION_PATTERN = r"^(\d+(ms|s|m|h|d|w|y))+$"
Duration = Annotated[str, Field(pattern=DURATION_PATTERN, examples=["5m", "1h", "30d"])]


def _check_duration(value: str) -> str:
    slomath.parse_duration(value)
    return value


def check_window(value: str) -> str:
    """An SLO window: a rolling duration of at least a day, or a calendar window."""
    if value in slomath.CALENDAR_WINDOWS:
        return value
    try:
        seconds = slomath.parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"{exc}; or the calendar windows month, week") from None
    if seconds < slomath.DAY:
        raise ValueError("the SLO window must be at least 1d")
    return value


class Metadata(_Model):
    name: str = Field(pattern=DNS_LABEL, description="Unique SLO name, a lowercase DNS label.")
    service: str = Field(pattern=DNS_LABEL, description="Service the SLO belongs to; one output file each.")
    owner: str | None = Field(default=None, description="Owning team, shown in alerts and reports.")
    labels: dict[Annotated[str, Field(pattern=LABEL_NAME)], str] = Field(
        default_factory=dict,
        description="Extra labels on every generated series and alert.",
        json_schema_extra=_ONLY_PATTERN_KEYS,
    )


# ---- sources -------------------------------------------------------------------------------


class CloudWatchMetric(_Model):
    namespace: str = Field(min_length=1, max_length=255)
    metric_name: str = Field(min_length=1, max_length=255)
    # CloudWatch's own limits (Dimension.Name 1-255, Value 1-1024): caught here, at the spec's line.
    dimensions: dict[
        Annotated[str, Field(min_length=1, max_length=255)], Annotated[str, Field(min_length=1, max_length=1024)]
    ] = Field(default_factory=dict, max_length=30)
    statistic: str = Field(default="Sum", description="CloudWatch statistic, e.g. Sum, Maximum, p95, PR(:0.3).")


def _as_generated(selector: str) -> str:
    """The selector as generators write it, re-rendered from its parse (comments and spacing gone).

    A selector that does not parse stays as written: `validate.check_indicator` reports it, at
    its position, next to every other problem of the run.
    """
    try:
        return str(parse_selector(selector))
    except ValueError:
        return selector


Selector = Annotated[str, AfterValidator(_as_generated)]
Selectors = Selector | Annotated[list[Selector], Field(min_length=1, max_length=8)]


def selector_list(value: str | list[str] | None) -> list[str]:
    """One selector or several, as a list (empty when not given)."""
    return [] if value is None else [value] if isinstance(value, str) else list(value)


# PromQL templated on `{{.window}}` (Sloth's placeholder), without comments: the rules write it
# into longer expressions on one line. `validate` parses it with the window put in.
WindowExpression = Annotated[
    str,
    AfterValidator(strip_comments),
    Field(min_length=1, examples=['sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))']),
]


class PrometheusEventExpressions(_Model):
    """Events per second as PromQL over the range `{{.window}}`, for SLIs that are no sum of selectors
    (Sloth's error_query/total_query). Each is reduced to one series with sum()."""

    model_config = _GOOD_XOR_BAD

    good: WindowExpression | None = Field(default=None, description="Good events per second (exclusive with bad).")
    bad: WindowExpression | None = Field(default=None, description="Bad events per second (exclusive with good).")
    total: WindowExpression = Field(description="All events per second.")

    @model_validator(mode="after")
    def _good_xor_bad(self) -> PrometheusEventExpressions:
        if (self.good is None) == (self.bad is None):
            raise ValueError("give exactly one of `good` or `bad`")
        return self


def _only(required: list[str], absent: list[str]) -> dict[str, Any]:
    """JSON Schema: these keys given, none of those."""
    return {"required": required, "not": {"anyOf": [{"required": [key]} for key in absent]}}


PROMETHEUS_RATIO_FORMS = ("selectors (good or bad, and total)", "expression", "errorRatio")


class PrometheusRatioSource(_Model):
    """Event selectors (good or bad, and total), or `expression`, or `errorRatio`.

    A selector list is summed: needed when events live in series of different names
    (YACE's aws_states_executions_*_sum), since a `{__name__=~...}` selector collides once
    rate()/sum_over_time() drop the metric name."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                _only(["good", "total"], ["bad", "expression", "errorRatio"]),
                _only(["bad", "total"], ["good", "expression", "errorRatio"]),
                _only(["expression"], ["good", "bad", "total", "errorRatio"]),
                _only(["errorRatio"], ["good", "bad", "total", "expression"]),
            ]
        }
    )

    good: Selectors | None = Field(default=None, description="Selector(s) of good events (exclusive with bad).")
    bad: Selectors | None = Field(default=None, description="Selector(s) of bad events (exclusive with good).")
    total: Selectors | None = Field(default=None, description="Selector(s) of all events.")
    metric_type: Literal["counter", "periodSum"] = Field(
        default="counter",
        description="counter: monotonic counters (rate/increase); periodSum: gauges holding the event "
        "count of each sample's period, e.g. YACE's *_sum series (sum_over_time). Selectors only.",
    )
    expression: PrometheusEventExpressions | None = Field(
        default=None,
        description="Instead of selectors: good or bad, and total events per second as PromQL over {{.window}}.",
    )
    error_ratio: WindowExpression | None = Field(
        default=None,
        description="Instead of selectors: the share of bad events (0..1) over {{.window}}, without event "
        "counts; its long windows average the 5m ratio (approximate: average of ratios).",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _total_with_selectors(cls, data: Any, handler: ModelWrapValidatorHandler[PrometheusRatioSource]) -> Any:
        """Selectors need `total`: reported as the required field it is, with the source's other errors."""
        if not (isinstance(data, dict) and "total" not in data and ("good" in data or "bad" in data)):
            return handler(data)
        missing = InitErrorDetails(type="missing", loc=("total",), input=data)
        others: list[Any] = []
        try:
            handler({**data, "total": data.get("good", data.get("bad"))})  # stand-in, so the rest is checked
        except ValidationError as exc:
            others = [e for e in exc.errors() if e["loc"][:1] != ("total",)]
        raise ValidationError.from_exception_data(cls.__name__, [missing, *others])

    @model_validator(mode="after")
    def _one_form(self) -> PrometheusRatioSource:
        selectors = any(getattr(self, k) is not None for k in ("good", "bad", "total"))
        forms = [selectors, self.expression is not None, self.error_ratio is not None]
        if sum(forms) != 1:
            given = [f for f, on in zip(PROMETHEUS_RATIO_FORMS, forms, strict=True) if on]
            raise ValueError(
                f"give exactly one of {', '.join(PROMETHEUS_RATIO_FORMS)} (got {', '.join(given) or 'none'})"
            )
        if not selectors:
            if "metric_type" in self.model_fields_set:
                raise ValueError("metricType applies to selectors only")
            return self
        if self.total is None:  # the stand-in `_total_with_selectors` gives cannot be None
            raise ValueError("give `total` with the good or bad selectors")
        if (self.good is None) == (self.bad is None):
            raise ValueError("give exactly one of `good` or `bad`")
        return self

    @property
    def form(self) -> Literal["selectors", "expression", "errorRatio"]:
        """Which of the three ways the spec gives the events."""
        return "expression" if self.expression else "errorRatio" if self.error_ratio else "selectors"

    def selectors(self, key: Literal["good", "bad", "total"]) -> list[str]:
        """The selectors of good, bad or total events as a list (empty when not given)."""
        return selector_list(getattr(self, key))


class CloudWatchGroup(_Model):
    """How CloudWatch enumerates one `groupBy` label: a metric math alarm cannot fan out by itself,
    so each value gets its own alarm stack, with the value put into the metrics' dimension."""

    dimension: str = Field(
        min_length=1, max_length=255, description="The CloudWatch dimension that carries this label's value."
    )
    values: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(
        min_length=1, max_length=100, description="Every value the label takes: one alarm stack each."
    )


GroupLabel = Annotated[str, Field(pattern=LABEL_NAME)]
MAX_GROUP_LABELS = 5  # the most labels groupBy may name
MOST_GROUPS = 10000  # the highest maxGroups


class _CloudWatchSource(_Model):
    groups: dict[GroupLabel, CloudWatchGroup] | None = Field(
        default=None,
        description="Per `groupBy` label, its CloudWatch dimension and values (grouped SLOs only).",
    )


class CloudWatchRatioSource(_CloudWatchSource):
    model_config = _GOOD_XOR_BAD
    good: list[CloudWatchMetric] | None = Field(default=None, min_length=1, max_length=8)
    bad: list[CloudWatchMetric] | None = Field(default=None, min_length=1, max_length=8)
    total: list[CloudWatchMetric] = Field(min_length=1, max_length=8)

    @model_validator(mode="after")
    def _good_xor_bad(self) -> CloudWatchRatioSource:
        if (self.good is None) == (self.bad is None):
            raise ValueError("give exactly one of `good` or `bad`")
        return self


class PrometheusHistogramSource(_Model):
    # The model validator below, said for editors: `buckets` exactly when not native.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"native": {"const": True}}, "required": ["native"]},
            "then": {"not": {"required": ["buckets"]}},
            "else": {"required": ["buckets"]},
        }
    )

    histogram: Selector = Field(description='Histogram family selector without _bucket, e.g. x_seconds{job="api"}.')
    buckets: list[float] | None = Field(
        default=None,
        min_length=1,
        description="The histogram's bucket boundaries (le), in seconds; a classic histogram only.",
    )
    native: bool = Field(
        default=False,
        description="A native histogram (one series holding every bucket; Prometheus needs "
        "--enable-feature=native-histograms): any threshold counts, read with histogram_fraction. "
        "No `buckets` then.",
    )

    @model_validator(mode="after")
    def _buckets_xor_native(self) -> PrometheusHistogramSource:
        # A classic histogram's threshold must be one of its boundaries; a native one has no list to give.
        if self.native and self.buckets is not None:
            raise ValueError("a native histogram has no `buckets` list: remove it (any threshold counts)")
        if not self.native and self.buckets is None:
            raise ValueError("give the histogram's `buckets`, or `native: true` for a native histogram")
        return self


class CloudWatchLatencySource(_CloudWatchSource):
    metric: CloudWatchMetric


class PrometheusGaugeSource(_Model):
    # Without comments: a generator writes the gauge into a longer expression on one line.
    gauge: Annotated[str, AfterValidator(strip_comments)] = Field(
        description="PromQL instant-vector expression reduced to one series, e.g. max(x)."
    )


class CloudWatchGaugeSource(_CloudWatchSource):
    metric: CloudWatchMetric


# ---- indicators ----------------------------------------------------------------------------


class RatioIndicator(_Model):
    prometheus: PrometheusRatioSource | None = None
    cloudwatch: CloudWatchRatioSource | None = None


class LatencyIndicator(_Model):
    threshold: str | float = Field(description="Latency a good request stays at or under, e.g. 300ms.")
    prometheus: PrometheusHistogramSource | None = None
    cloudwatch: CloudWatchLatencySource | None = None

    @field_validator("threshold")
    @classmethod
    def _latency(cls, value: str | float) -> str | float:
        slomath.parse_latency(value)
        return value

    @property
    def threshold_seconds(self) -> float:
        return slomath.parse_latency(self.threshold)


class ThresholdIndicator(_Model):
    slice: Duration = Field(default="1m", description="Length of one time slice.")
    operator: Literal["<", "<=", ">", ">="] = Field(description="A slice is good when `gauge <operator> value`.")
    value: float
    prometheus: PrometheusGaugeSource | None = None
    cloudwatch: CloudWatchGaugeSource | None = None

    _slice = field_validator("slice")(classmethod(lambda cls, v: _check_duration(v)))

    @property
    def slice_seconds(self) -> int:
        return slomath.parse_duration(self.slice)


class Indicator(_Model):
    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": [k]} for k in ("ratio", "latency", "threshold")]}
    )
    ratio: RatioIndicator | None = None
    latency: LatencyIndicator | None = None
    threshold: ThresholdIndicator | None = None
    group_by: list[GroupLabel] = Field(
        default_factory=list,
        max_length=MAX_GROUP_LABELS,
        description="Labels that split the SLO: each distinct value combination is its own SLO for budgets, "
        "burn rates and alerts, e.g. [handler].",
    )
    max_groups: int = Field(
        default=50,
        ge=1,
        le=MOST_GROUPS,
        description="Most groups expected; series and alerts grow with groups x windows.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Indicator:
        given = [k for k in ("ratio", "latency", "threshold") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of ratio, latency, threshold (got {', '.join(given) or 'none'})")
        body = getattr(self, given[0])
        if body.prometheus is None and body.cloudwatch is None:
            raise ValueError(f"{given[0]}: give a `prometheus` source, a `cloudwatch` source, or both")
        if len(set(self.group_by)) != len(self.group_by):
            raise ValueError("groupBy: a label is named twice")
        groups = body.cloudwatch.groups if body.cloudwatch is not None else None
        if groups is not None and set(groups) != set(self.group_by):
            raise ValueError(
                f"{given[0]}.cloudwatch.groups must enumerate exactly the groupBy labels "
                f"({', '.join(self.group_by) or 'none'}), got {', '.join(groups)}"
            )
        return self

    @property
    def kind(self) -> str:
        return "ratio" if self.ratio else "latency" if self.latency else "threshold"

    @property
    def body(self) -> RatioIndicator | LatencyIndicator | ThresholdIndicator:
        return self.ratio or self.latency or self.threshold  # type: ignore[return-value]


# ---- alerting ------------------------------------------------------------------------------


class BurnWindowSpec(_Model):
    long: Duration
    short: Duration
    budget_percent: float = Field(gt=0, le=100, description="Share of the window's budget this pair guards.")
    min_events: int | None = Field(
        default=None,
        ge=0,
        description="This pair's low-traffic guard, instead of alerting.minEvents; counted like it, over the "
        "pair's long window and at least 1h.",
    )

    _dur = field_validator("long", "short")(classmethod(lambda cls, v: _check_duration(v)))

    def to_math(self) -> slomath.BurnWindow:
        return slomath.BurnWindow(
            slomath.parse_duration(self.long),
            slomath.parse_duration(self.short),
            self.budget_percent / 100,
            self.min_events,
        )


# Labels the generators set on every alert; routing, inhibition and grouping read them, so a free
# label may not replace them. `owner` comes from metadata.owner.
RESERVED_ALERT_LABELS = frozenset({"alertname", "slo", "service", "severity", "long_window", "short_window", "owner"})
# Annotations the generators write (the page's text and its links).
RESERVED_ANNOTATIONS = frozenset({"summary", "description", "runbook_url", "dashboard_url"})
ALERT_NAME = r"^[A-Za-z][A-Za-z0-9_]{0,99}$"


# A free label or annotation name is a Prometheus label name and a CloudWatch tag key (at most 128 characters).
_FreeName = Annotated[str, Field(pattern=LABEL_NAME, max_length=128)]


def _free_entries(what: str, reserved: frozenset[str], why: str, value_length: int, description: str) -> Any:
    """The type of free labels or annotations: at most 20, none of the `reserved` names (the generator's, `why`)."""

    def not_reserved(value: dict[str, str]) -> dict[str, str]:
        taken = sorted(reserved.intersection(value))
        if taken:
            raise ValueError(f"{', '.join(taken)}: {why}; free {what} may not replace {', '.join(sorted(reserved))}")
        return value

    return Annotated[
        dict[_FreeName, Annotated[str, Field(max_length=value_length)]],
        AfterValidator(not_reserved),
        Field(default_factory=dict, max_length=20, description=description, json_schema_extra=_ONLY_PATTERN_KEYS),
    ]


# A label value becomes a CloudWatch tag value too (at most 256 characters).
AlertLabels = _free_entries(
    "labels",
    RESERVED_ALERT_LABELS,
    "set by the generator (routing and inhibition read it)",
    256,
    "Free labels on the alerts (Prometheus labels, Alertmanager matchers, CloudWatch tags).",
)
AlertAnnotations = _free_entries(
    "annotations",
    RESERVED_ANNOTATIONS,
    "written by the generator",
    1000,
    "Free annotations on the alerts (Prometheus annotations, CloudWatch alarm descriptions).",
)


class TierSpec(_Model):
    enabled: bool = True
    severity: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9_-]*$", description="Label value; default = tier."
    )
    for_: Duration | None = Field(default=None, alias="for", description="How long the condition must hold.")
    notify: str | None = Field(default=None, description="Name of a notification target from defaults.yaml.")
    windows: list[BurnWindowSpec] | None = Field(default=None, min_length=1, max_length=4)
    labels: AlertLabels
    annotations: AlertAnnotations

    _dur = field_validator("for_")(classmethod(lambda cls, v: v if v is None else _check_duration(v)))


class Alerting(_Model):
    name: str | None = Field(
        default=None,
        pattern=ALERT_NAME,
        description="Alert name prefix of this SLO: CheckoutAvailability -> CheckoutAvailabilityPage, "
        "...Ticket, ...MetricsAbsent. Default: SLOBurnRatePage, SLOBurnRateTicket, SLOMetricsAbsent.",
    )
    runbook: str | None = Field(default=None, description="Runbook path relative to the repo root.")
    labels: AlertLabels
    annotations: AlertAnnotations
    min_events: int = Field(
        default=0, ge=0, description="Fewest events (or slices) in the long window before a burn alert may fire."
    )
    page: TierSpec = Field(default_factory=TierSpec)
    ticket: TierSpec = Field(default_factory=TierSpec)


class SloSpecBody(_Model):
    description: str = Field(min_length=1)
    objective: float = Field(gt=0, lt=100, description="Target, in percent (99.9).")
    window: str = Field(default="30d", description="Rolling (7d, 28d, 30d, 4w) or calendar (month, week).")
    indicator: Indicator
    alerting: Alerting = Field(default_factory=Alerting)

    _window = field_validator("window")(classmethod(lambda cls, v: check_window(v)))


class SloDocument(_Model):
    """One SLO as written: `kind: SLO` under `apiVersion: sre.dev/v1`."""

    api_version: Literal["sre.dev/v1"]
    kind: Literal["SLO"]
    metadata: Metadata
    spec: SloSpecBody


# ---- defaults.yaml -------------------------------------------------------------------------


# Secrets reach Alertmanager only as files (a mounted Kubernetes secret): the models have no field
# for an inline key, so a secret cannot end up in the generated config or in git.
SecretFile = Annotated[
    str,
    Field(
        pattern=r"^/[^\s]*$",
        max_length=1000,
        description="Absolute path of the file holding the secret (a mounted secret), read by Alertmanager.",
    ),
]
HTTP_URL = r"^https?://[^\s/@]+(/[^\s]*)?$"


def _endpoint(value: str) -> str:
    if re.match(r"^https?://[^\s/]*@", value):
        raise ValueError("a URL here is written into the Alertmanager config: no user:password@ in it (use a *File)")
    if not re.match(HTTP_URL, value):
        raise ValueError("must be an absolute http:// or https:// URL without spaces")
    return value


# An endpoint, not a secret: http(s), no `user:password@`.
HttpUrl = Annotated[str, AfterValidator(_endpoint), Field(max_length=2000, json_schema_extra={"pattern": HTTP_URL})]


class PagerDutyTarget(_Model):
    """Alertmanager `pagerduty_configs` (Events API v2)."""

    routing_key_file: SecretFile | None = Field(
        default=None, description="Integration key file; default /etc/alertmanager/secrets/<receiver>-routing-key."
    )
    severity: Literal["critical", "error", "warning", "info"] = Field(
        default="critical", description="PagerDuty event severity."
    )
    url: HttpUrl | None = Field(
        default=None, description="Events API URL, e.g. https://events.eu.pagerduty.com/v2/enqueue (EU service)."
    )


class OpsgenieResponder(_Model):
    type: Literal["team", "user", "escalation", "schedule"]
    name: str = Field(min_length=1, max_length=200)


class OpsgenieTarget(_Model):
    """Alertmanager `opsgenie_configs`."""

    api_key_file: SecretFile | None = Field(
        default=None, description="API key file; default /etc/alertmanager/secrets/<receiver>-api-key."
    )
    api_url: HttpUrl | None = Field(default=None, description="e.g. https://api.eu.opsgenie.com/ (EU instance).")
    priority: Literal["P1", "P2", "P3", "P4", "P5"] | None = None
    responders: list[OpsgenieResponder] = Field(default_factory=list, max_length=20)


class SlackTarget(_Model):
    """Alertmanager `slack_configs` (incoming webhook)."""

    api_url_file: SecretFile | None = Field(
        default=None, description="Webhook URL file; default /etc/alertmanager/secrets/<receiver>-slack-url."
    )
    channel: str = Field(pattern=r"^[#@]?[^\s]{1,80}$", description="Channel (#payments-oncall) or user (@name).")


class WebhookTarget(_Model):
    """Alertmanager `webhook_configs`. Alertmanager 0.25 (Debian's) reads no webhook URL from a file,
    so the URL is written into the config: put the secret in `credentialsFile`, never in the URL."""

    url: HttpUrl = Field(description="Endpoint receiving Alertmanager's JSON; no secret in it.")
    credentials_file: SecretFile | None = Field(
        default=None, description="Bearer token file (Authorization header); default: no token."
    )


class SnsTarget(_Model):
    """Alertmanager `sns_configs`: Prometheus alerts to an SNS topic, signed with the pod's AWS role
    (IRSA or instance profile); there is no field for access keys."""

    topic_arn: str = Field(
        pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$",
        description="Topic ARN as Alertmanager reads it (no ${...} placeholder: Alertmanager fills none).",
    )
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    role_arn: str | None = Field(default=None, pattern=r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


INTEGRATIONS = ("pagerduty", "opsgenie", "slack", "webhook", "sns")


class NotificationTarget(_Model):
    alertmanager_receiver: str | None = Field(
        default=None, description="Alertmanager receiver name; default: the target's name."
    )
    pagerduty: PagerDutyTarget | None = None
    opsgenie: OpsgenieTarget | None = None
    slack: SlackTarget | None = None
    webhook: WebhookTarget | None = None
    sns: SnsTarget | None = None
    group_by: list[Annotated[str, Field(pattern=LABEL_NAME)]] | None = Field(
        default=None,
        min_length=1,
        description="Alertmanager group_by of this target's routes; default [slo]. E.g. [owner] sends one "
        "notification per team for all its SLOs.",
    )
    sns_topic_arn: str | None = Field(
        default=None,
        max_length=300,
        # An ARN, or text with ${name} placeholders an environment fills (syntax: sre_cli.placeholders).
        pattern=r"^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+|.*\$\{.*)$",
        description="SNS topic ARN, or a ${name} placeholder filled per environment (--values).",
    )

    def integrations(self) -> list[str]:
        """The Alertmanager integrations this target names, in a fixed order (none: the legacy default)."""
        return [name for name in INTEGRATIONS if getattr(self, name) is not None]


def _dashboard_base(value: str) -> str:
    if value and not re.match(r"^https?://.", value):
        raise ValueError(
            "must be an absolute http(s):// URL (alerts link <base><service>, and a relative link opens "
            "nowhere from a pager), or empty for no dashboard link"
        )
    return value


# Kubernetes label syntax: an optional DNS-subdomain prefix and `/`, a name of at most 63 characters.
_DNS_PREFIX = r"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
K8S_LABEL_KEY = rf"^{_DNS_PREFIX}[A-Za-z0-9]([-A-Za-z0-9_.]{{0,61}}[A-Za-z0-9])?$"
K8S_LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$"


class PrometheusRuleSettings(_Model):
    """Where the PrometheusRule manifests go and the labels prometheus-operator selects them by."""

    namespace: str = Field(default="monitoring", pattern=DNS_LABEL, description="Namespace of every manifest.")
    labels: dict[Annotated[str, Field(pattern=K8S_LABEL_KEY)], Annotated[str, Field(pattern=K8S_LABEL_VALUE)]] = Field(
        default_factory=lambda: {"release": "kube-prometheus-stack"},
        description="Labels the operator's ruleSelector matches (kube-prometheus-stack: release: <Helm release>); "
        "replace the default, and app.kubernetes.io/managed-by and part-of are always added.",
        json_schema_extra=_ONLY_PATTERN_KEYS,
    )


class Defaults(_Model):
    runbook_base_url: str = Field(default="runbooks/", description="Prefix of runbook links in alerts.")
    dashboard_base_url: Annotated[str, AfterValidator(_dashboard_base)] = Field(
        default="",
        json_schema_extra={"pattern": r"^(https?://.+)?$"},
        description="Prefix of dashboard links in alerts, an absolute http(s) URL; the service name is appended. "
        "Empty: alerts carry no dashboard link (a relative one would be no use in a pager).",
    )
    labels: dict[Annotated[str, Field(pattern=LABEL_NAME)], str] = Field(
        default_factory=dict, json_schema_extra=_ONLY_PATTERN_KEYS
    )
    notification_targets: dict[str, NotificationTarget] = Field(default_factory=dict)
    prometheus_rule: PrometheusRuleSettings = Field(default_factory=PrometheusRuleSettings)
    page: TierSpec = Field(default_factory=TierSpec)
    ticket: TierSpec = Field(default_factory=TierSpec)
