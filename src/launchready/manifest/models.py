"""The manifest schema of ``shared/spec/manifest.md``: one pydantic model per section.

Every model forbids unknown keys, because a typo (``reciever_mail``) must not silently
turn a check off. Durations are stored in seconds. Paths stay as written; the loaded
:class:`Manifest` resolves them against the manifest's folder.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from launchready.durations import parse_duration
from launchready.errors import DurationError, InputError

DEFAULT_BUDGET_S = 0.300
CHECKOUT_BUDGET_S = 0.500
OWNER_ROLES = ("registrar", "dns", "cdn", "hosting", "email", "deploy", "monitoring")


def _duration(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError("a duration is a string with a unit, e.g. 500ms, 2s, 15m, 24h, 30d")
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise ValueError(str(exc)) from None


Duration = Annotated[float, BeforeValidator(_duration)]
"""A duration in seconds, written in the manifest as ``500ms``, ``2s``, ``15m``..."""


def _absolute_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{value!r} is not an absolute http(s) URL (e.g. https://www.example.com/)"
        )
    return value


def _hostname(value: str) -> str:
    name = value.strip().rstrip(".").lower()
    if not name or "/" in name or ":" in name or " " in name:
        raise ValueError(f"{value!r} is not a hostname (write www.example.com, no scheme or path)")
    return name


def _host_port(value: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ValueError(f"{value!r} is not host:port (e.g. 127.0.0.1:8443)")
    return value


AbsoluteUrl = Annotated[
    str, BeforeValidator(lambda v: _absolute_url(v) if isinstance(v, str) else v)
]
Hostname = Annotated[str, BeforeValidator(lambda v: _hostname(v) if isinstance(v, str) else v)]
HostPort = Annotated[str, BeforeValidator(lambda v: _host_port(v) if isinstance(v, str) else v)]


class Section(BaseModel):
    """Base of every section: unknown keys are errors, aliases are accepted as written."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


WEB_ROLES = frozenset({"storefront", "api", "chat", "app", "admin", "static"})
"""Host roles that serve web traffic (``mail`` and ``other`` do not)."""


class Host(Section):
    name: Hostname
    role: Literal["storefront", "api", "chat", "app", "admin", "static", "mail", "other"] = "other"


class Site(Section):
    name: str | None = None
    domain: Hostname
    canonical: AbsoluteUrl | None = None
    hosts: list[Host] = Field(default_factory=list)
    staging: list[Hostname] = Field(default_factory=list)
    origin_ips: list[str] = Field(default_factory=list)
    cdn: Literal["cloudflare", "other", "none"] = "none"

    @field_validator("origin_ips")
    @classmethod
    def _ips(cls, values: list[str]) -> list[str]:
        for value in values:
            ipaddress.ip_address(value)
        return values


class ExpectedRecord(Section):
    name: Hostname
    type: Literal["A", "AAAA", "CNAME", "MX", "TXT", "NS", "CAA", "SRV"]
    values: list[str]


class Dns(Section):
    expect: list[ExpectedRecord] = Field(default_factory=list)


class IncludeSender(Section):
    include: Hostname


class Email(Section):
    domain: Hostname | None = None
    senders: list[str | IncludeSender] = Field(default_factory=list)
    dkim_selectors: list[str] = Field(default_factory=list)
    receives_mail: bool = True

    @field_validator("senders")
    @classmethod
    def _known_senders(cls, values: list[str | IncludeSender]) -> list[str | IncludeSender]:
        """A sender name must be in the provider table: a typo would silently skip it."""
        from launchready.mail.providers import resolve_sender  # the table loads on demand

        for value in values:
            if isinstance(value, str):
                try:
                    resolve_sender(value)
                except InputError as exc:
                    raise ValueError(str(exc)) from None
        return values


class Expect(Section):
    status: int | list[int] | None = None
    body_contains: str | None = None

    def statuses(self) -> list[int] | None:
        if self.status is None:
            return None
        return self.status if isinstance(self.status, list) else [self.status]


class Route(Section):
    name: str
    url: AbsoluteUrl
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    form: dict[str, str] | None = None
    budget_p95: Duration | None = None
    checkout: bool = False
    health: bool = False
    webhook: bool = False
    rate_limited: bool = False
    expect: Expect | None = None
    conditions: list[str] | None = None
    """Gatus-style conditions (``[STATUS] == 200``, ``[RESPONSE_TIME] < 300``,
    ``[BODY] contains ok``) that replace ``expect`` for the smoke test and the monitor."""

    @field_validator("conditions")
    @classmethod
    def _conditions_parse(cls, values: list[str] | None) -> list[str] | None:
        from launchready.conditions import Condition

        for text in values or []:
            try:
                Condition.parse(text)
            except InputError as exc:
                raise ValueError(str(exc)) from None
        return values

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_body(self) -> Route:
        if self.json_body is not None and self.form is not None:
            raise ValueError("a route sends either json or form, not both")
        return self

    @property
    def budget(self) -> float:
        """The p95 budget in seconds: the route's own, else 300 ms (500 ms for checkout)."""
        if self.budget_p95 is not None:
            return self.budget_p95
        return CHECKOUT_BUDGET_S if self.checkout else DEFAULT_BUDGET_S

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


class Redirect(Section):
    from_url: AbsoluteUrl = Field(alias="from")
    to: AbsoluteUrl


class ChatRequest(Section):
    method: Literal["POST", "PUT", "GET"] = "POST"
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    form: dict[str, str] | None = None


class Customer(Section):
    email: str | None = None
    order: str | None = None
    name: str | None = None
    phone: str | None = None
    address: str | None = None


def _jsonpath(value: str | None) -> str | None:
    """A JSONPath must compile when the manifest loads, not on the first reply."""
    if value is None:
        return None
    from jsonpath_ng.exceptions import JSONPathError
    from jsonpath_ng.ext.parser import parse

    try:
        parse(value)
    except JSONPathError as exc:
        raise ValueError(f"{value!r} is not a JSONPath expression: {exc}") from None
    return value


JsonPath = Annotated[str, BeforeValidator(_jsonpath)]


class ChatJudge(Section):
    """An optional second opinion: any OpenAI-compatible chat-completions endpoint."""

    url: AbsoluteUrl
    model: str = "gpt-4o-mini"
    headers: dict[str, str] = Field(default_factory=dict)


class ChatBrowser(Section):
    page: AbsoluteUrl
    open: str | None = None
    input: str
    reply: str


class Chatbot(Section):
    url: AbsoluteUrl
    kind: Literal["template", "openai"] = "template"
    """``template``: ``request`` is a body template, ``reply``/``actions`` are JSONPaths.
    ``openai``: a chat-completions endpoint (messages array, tool_calls as the actions)."""
    model: str | None = None
    stream: bool = False
    """``openai`` only: ask for a server-sent-event stream. A template bot that answers
    with ``text/event-stream`` is read as a stream whatever this says."""
    request: ChatRequest = Field(default_factory=ChatRequest)
    reply: JsonPath = "$.reply"
    actions: JsonPath | None = None
    budget: Duration = 2.0
    canary: str | None = None
    customer: Customer | None = None
    other_customer: Customer | None = None
    dangerous_actions: list[str] = Field(default_factory=list)
    public_values: list[str] = Field(default_factory=list)
    """The store's own phone numbers, addresses and emails: a reply may give them out."""
    probes: list[str] = Field(default_factory=list)
    """Extra red-team probe files (YAML, the shipped format), relative to the manifest."""
    rate: float = Field(default=20.0, gt=0, le=1000)
    """Red-team messages per second at most, so the evaluation is not itself a flood."""
    concurrency: int = Field(default=8, ge=1, le=256)
    judge: ChatJudge | None = None
    browser: ChatBrowser | None = None

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


class Load(Section):
    users: int = Field(default=50, ge=1)
    duration: Duration = 60.0
    mix: dict[str, int] = Field(default_factory=dict)


class Heartbeat(Section):
    name: str
    period: Duration
    grace: Duration = 0.0
    token: str | None = None
    """What the job sends to ``/ping/<name>`` (``?token=`` or a Bearer header); use a
    ``${VAR}``. The monitor refuses to watch a heartbeat without one."""


class Dashboard(Section):
    """Who may see the monitor's dashboard and ``/metrics`` when ``--listen`` is not on
    loopback: a bearer token, or a user name and password (HTTP basic auth), or both.
    Use ``${VAR}`` for the secrets."""

    token: str | None = None
    username: str | None = None
    password: str | None = None

    @model_validator(mode="after")
    def _pairs(self) -> Dashboard:
        if bool(self.username) != bool(self.password):
            raise ValueError("set username and password together (HTTP basic auth)")
        return self


class Monitor(Section):
    interval: Duration = 60.0
    alert_after: int = Field(default=2, ge=1)
    recover_after: int = Field(default=1, ge=1)
    """Consecutive successes that close an incident."""
    remind_every: Duration | None = None
    """Repeat the alert while an incident stays open (e.g. ``1h``); unset: never."""
    quorum: int | None = Field(default=None, ge=1)
    """Regions that must see a check down before it is an incident; unset: every region
    that reported in the last three intervals."""
    notify: list[str] = Field(default_factory=list)
    cert_warning: Duration = 14 * 86400.0
    heartbeats: list[Heartbeat] = Field(default_factory=list)
    dashboard: Dashboard | None = None


class Secrets(Section):
    paths: list[str] = Field(default_factory=lambda: ["."])
    history: bool = False
    baseline: str | None = None


class Environments(Section):
    required: str | None = None
    files: dict[str, str] = Field(default_factory=dict)


class Owner(Section):
    provider: str
    owner: str


class Owners(Section):
    registrar: Owner | None = None
    dns: Owner | None = None
    cdn: Owner | None = None
    hosting: Owner | None = None
    email: Owner | None = None
    deploy: Owner | None = None
    monitoring: Owner | None = None
    analytics: Owner | None = None


class Drill(Section):
    base_url: AbsoluteUrl | None = None
    deploy: str | None = None
    rollback: str | None = None
    budget: Duration = 600.0


class Deploy(Section):
    steps: list[str] = Field(default_factory=list)
    rollback: list[str] = Field(default_factory=list)
    secrets_store: str | None = None
    build: str | None = None
    artifacts: list[str] = Field(default_factory=list)
    build_env: str | None = None
    drill: Drill | None = None


class Logs(Section):
    access: list[str] = Field(default_factory=list)
    app: list[str] = Field(default_factory=list)
    request_id: str | None = None
    window: Duration | None = None


class Query(Section):
    name: str
    sql: str
    params: list[Any] = Field(default_factory=list)


class Database(Section):
    url: str
    queries: list[Query] = Field(default_factory=list)
    large_table_rows: int = Field(default=10_000, ge=1)


class Dependency(Section):
    name: str
    listen: HostPort
    upstream: HostPort
    used_by: list[str] = Field(default_factory=list)
    awaited: bool = False
    cacheable: bool = False


class Cloudflare(Section):
    zone: Hostname
    token: str
    api_base: AbsoluteUrl = "https://api.cloudflare.com/client/v4"


class Network(Section):
    nameservers: list[str] = Field(default_factory=list)
    resolve: dict[str, HostPort] = Field(default_factory=dict)
    ca_bundle: str | None = None

    @field_validator("resolve")
    @classmethod
    def _keys_are_host_port(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            _host_port(key)
        return {k.lower(): v for k, v in value.items()}

    @field_validator("nameservers")
    @classmethod
    def _nameservers(cls, values: list[str]) -> list[str]:
        for value in values:
            split_nameserver(value)
        return values


def split_nameserver(value: str) -> tuple[str, int]:
    """``127.0.0.1:5353`` -> ("127.0.0.1", 5353); ``::1`` and ``[::1]:53`` work too."""
    text = value.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") else 53
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        port = int(port_text)
    else:
        host, port = text, 53
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a nameserver address (an IP, optionally with :port)"
        ) from None
    return host, port


class Manifest(Section):
    """The whole ``launchready.yaml``; only ``site.domain`` is required."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False)

    version: Literal[1] = 1
    site: Site
    dns: Dns | None = None
    email: Email | None = None
    routes: list[Route] = Field(default_factory=list)
    redirects: list[Redirect] = Field(default_factory=list)
    chatbot: Chatbot | None = None
    load: Load | None = None
    monitor: Monitor | None = None
    secrets: Secrets | None = None
    environments: Environments | None = None
    owners: Owners | None = None
    deploy: Deploy | None = None
    logs: Logs | None = None
    database: Database | None = None
    dependencies: list[Dependency] = Field(default_factory=list)
    cloudflare: Cloudflare | None = None
    network: Network = Field(default_factory=Network)

    _path: Path | None = PrivateAttr(default=None)
    _secret_values: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_route_names(self) -> Manifest:
        seen: set[str] = set()
        for route in self.routes:
            if route.name in seen:
                raise ValueError(f"two routes are named {route.name!r}; route names must be unique")
            seen.add(route.name)
        return self

    @property
    def path(self) -> Path | None:
        """The file this manifest was read from (None when built in code)."""
        return self._path

    @property
    def base_dir(self) -> Path:
        """Relative paths in the manifest are relative to its own folder."""
        return self._path.parent if self._path is not None else Path.cwd()

    def resolve_path(self, value: str) -> Path:
        """A manifest path made absolute against the manifest's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    @property
    def secret_values(self) -> dict[str, str]:
        """Values that came from ``${VAR}``, mapped to the variable name, for redaction."""
        return dict(self._secret_values)

    def audited_hosts(self) -> list[str]:
        """Every public hostname: site hosts, the canonical host, and hosts of routes,
        redirects and the chatbot (manifest.md: they join the audited set)."""
        names: list[str] = [h.name for h in self.site.hosts]
        urls = [r.url for r in self.routes] + [r.to for r in self.redirects]
        urls += [r.from_url for r in self.redirects]
        if self.site.canonical:
            urls.append(self.site.canonical)
        if self.chatbot:
            urls.append(self.chatbot.url)
        names += [(urlsplit(u).hostname or "").lower() for u in urls]
        staging = set(self.site.staging)
        return [n for n in dict.fromkeys(names) if n and n not in staging]

    @property
    def sending_domain(self) -> str:
        """The From: domain of the store's mail: ``email.domain``, else ``site.domain``."""
        email = self.email
        return (email.domain if email is not None and email.domain else self.site.domain).lower()

    def host_role(self, name: str) -> str | None:
        """The role ``site.hosts`` gives ``name``, if any."""
        return next((h.role for h in self.site.hosts if h.name == name), None)
