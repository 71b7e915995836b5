"""The ``openbureau`` command line: bootstrap, then call services. Rich progress for long work.

Exit codes: 0 success; 1 done with rejections (ingest) or a failed check; 2 bad input or a file
that cannot be read at all.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from openbureau.config import Settings
from openbureau.domain.errors import OpenBureauError
from openbureau.domain.roles import SYSTEM

#: the libraries of the ``train`` extra (pyproject.toml), by import name
TRAIN_EXTRA = frozenset({"numba", "scipy", "pandas", "optbinning", "sklearn", "matplotlib",
                         "fairlearn", "splink"})


class MissingExtra(Exception):
    """A command needs a library of the ``train`` extra that is not installed."""

    def __init__(self, what: str, library: str) -> None:
        super().__init__(f"{what} needs the [train] extra (pip install 'openbureau[train]'): "
                         f"{library}")


class _Commands(TyperGroup):
    """The one handler of what a command refuses: what a service refuses (not found, conflict,
    invalid input...), a checkpoint file that cannot be read, a missing ``train`` extra.
    Whichever command it comes from, its one-line message goes to stderr and the exit code
    is 2."""

    # the context is click's, which newer Typers vendor as typer._click: not named here
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OpenBureauError as exc:
            fail(exc.detail)
        except Exception as exc:
            if not isinstance(exc, _one_line_errors()):
                raise
            fail(str(exc))


def _one_line_errors() -> tuple[type[Exception], ...]:
    # a checkpoint file's error only once the commands that raise it loaded its module:
    # importing it here would load SQLAlchemy into every command, --help included
    checkpoints = sys.modules.get("openbureau.adapters.audit_checkpoints")
    found: tuple[type[Exception], ...] = (MissingExtra,)
    if checkpoints is not None:
        found += (checkpoints.CheckpointFileError,)
    return found


_Command = TypeVar("_Command", bound=Callable[..., Any])


def needs_train_extra(what: str) -> Callable[[_Command], _Command]:
    """A command that imports the ``train`` extra's libraries: when one of them is missing,
    :class:`MissingExtra` (``what`` needs it). Any other ImportError is a bug and propagates."""
    def wrap(command: _Command) -> _Command:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return command(*args, **kwargs)
            except ImportError as exc:
                library = (exc.name or "").split(".")[0]
                if library not in TRAIN_EXTRA:
                    raise
                raise MissingExtra(what, library) from exc
        return run  # type: ignore[return-value]
    return wrap


app = typer.Typer(help="openbureau: a credit reporting system with due process built in.",
                  no_args_is_help=True, pretty_exceptions_enable=False, cls=_Commands)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations and their API keys.", no_args_is_help=True)
consumer_app = typer.Typer(help="Consumers.", no_args_is_help=True)
demo_app = typer.Typer(help="The synthetic demo population.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
deadlines_app = typer.Typer(help="Deadlines, retention and expiry.", no_args_is_help=True)
model_app = typer.Typer(help="Scorecard models.", no_args_is_help=True)
identity_app = typer.Typer(help="Identity resolution: its matching model and review queue.",
                           no_args_is_help=True)
for sub, name in ((db_app, "db"), (org_app, "org"), (consumer_app, "consumer"),
                  (demo_app, "demo"), (audit_app, "audit"), (deadlines_app, "deadlines"),
                  (model_app, "model"), (identity_app, "identity")):
    app.add_typer(sub, name=name)

# soft_wrap: a message is one line however narrow the terminal, and when piped (Rich would
# otherwise wrap at 80 columns, mid-message)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _bureau(check_schema: bool = True, now: str | None = None) -> Any:
    from openbureau.adapters.database import schema_is_current
    from openbureau.bootstrap import bootstrap
    from openbureau.clock import FixedClock

    try:
        settings = Settings()
        clock = FixedClock(_parse_now(now)) if now else None
        bureau = bootstrap(settings, clock=clock)
    except ValueError as exc:
        fail(str(exc).splitlines()[0])
    if check_schema:
        try:
            current = schema_is_current(bureau.engine)
        except Exception as exc:  # noqa: BLE001 - one line for the operator
            fail(f"database unreachable ({type(exc).__name__}); check OPENBUREAU_DATABASE_URL")
        if not current:
            fail("the database schema is out of date; run `openbureau db upgrade` first")
    return bureau


def _parse_now(value: str) -> datetime:
    from openbureau.domain.bounds import day_error

    try:
        now = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now must be an ISO 8601 date-time, got {value!r}")
    # deadlines purge what is past retention: an instant in another century would purge all
    problem = day_error(now.date())
    if problem is not None:
        fail(f"--now {problem}")
    return now


def _plain(value: Any) -> Any:
    """JSON for what ``json`` does not know: dates in ISO 8601, dataclasses as objects."""
    import dataclasses
    from datetime import date

    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, default=_plain) + "\n")


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 record", "2 records", "1,000 records"."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def _summary(what: str, counts: dict[str, Any]) -> None:
    """One line in words: "seeded: 3,000 people, 61,200 records, ..." (no dict literal)."""
    def counted(n: int, key: str) -> str:
        words = key.replace("_", " ")
        return f"{n:,} {words[:-1] if n == 1 and words.endswith('s') else words}"

    parts = [counted(v, k) if isinstance(v, int) and not isinstance(v, bool)
             else f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()
             if not isinstance(v, bool)]
    out.print(escape(f"{what}: {', '.join(parts)}"), highlight=False)


def _progress() -> Progress:
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                    TextColumn("{task.completed:,.0f}"), TimeElapsedColumn(), console=err,
                    transient=False)


# -- db ----------------------------------------------------------------------------------------

@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the current schema and register the shipped scorecards.

    Apply migrations, then register the shipped scorecards (activating one if none is) and
    seal audit events written before the audit key under a keyed one."""
    from openbureau.adapters.database import upgrade
    from openbureau.services import audit_log, models

    bureau = _bureau(check_schema=False)
    try:
        upgrade(bureau.engine)
    except Exception as exc:  # noqa: BLE001
        fail(f"migration failed: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    active = models.ensure_shipped(bureau.uow(), bureau.deps)
    sealed = audit_log.seal_unkeyed(bureau.uow(), bureau.deps)
    if sealed:
        err.print(f"audit chain keyed from here on; events 1 to {sealed} (plain SHA-256) "
                  "sealed under the first keyed event")
    err.print(f"database at head; active model: {active or 'none'}")


# -- organisations -----------------------------------------------------------------------------

@org_app.command("create")
def org_create(role: Annotated[str, typer.Option(help="furnisher|member|court|operator|auditor")],
               name: Annotated[str, typer.Option(help="The organisation's unique name.")],
               as_json: Annotated[bool, typer.Option(
                   "--json", help="Print one JSON object {id, name, role, key} and nothing "
                                  "else.")] = False) -> None:
    """Create an organisation and print its API key (shown once; only a hash is kept)."""
    from openbureau.services import access

    bureau = _bureau()
    issued = access.create_organisation(bureau.uow(), bureau.deps, SYSTEM, name, role)
    if as_json:
        _json({"id": issued.id, "name": issued.name, "role": issued.role, "key": issued.key})
    else:
        out.print(f"created {issued.role} [bold]{escape(issued.name)}[/] (id {issued.id})")
        out.print(f"API key (shown once): {issued.key}", highlight=False, soft_wrap=True)


@org_app.command("revoke")
def org_revoke(name: Annotated[str, typer.Argument(
        help="The organisation's name, as created.")]) -> None:
    """Revoke an organisation and every key it holds."""
    from openbureau.services import access

    bureau = _bureau()
    access.revoke_organisation(bureau.uow(), bureau.deps, SYSTEM, name)
    out.print(f"revoked {escape(name)}")


@org_app.command("list")
def org_list() -> None:
    """List the organisations: id, name, role and whether their keys are revoked."""
    from openbureau.services import access

    table = Table("id", "name", "role", "revoked")
    bureau = _bureau()
    for o in access.list_organisations(bureau.uow(), bureau.deps):
        table.add_row(str(o["id"]), escape(o["name"]), o["role"], "yes" if o["revoked"] else "")
    out.print(table)


# -- consumers ---------------------------------------------------------------------------------

@consumer_app.command("invite")
def consumer_invite(national_id: Annotated[str, typer.Argument(
                        help="The national identifier on the consumer's file.")],
                    as_json: Annotated[bool, typer.Option(
                        "--json", help="Print one JSON object {national_id_masked, "
                                       "enrolment_code} and nothing else.")] = False) -> None:
    """Issue an enrolment code for the file with this national identifier."""
    from openbureau.services import access

    bureau = _bureau()
    invite = access.invite_consumer(bureau.uow(), bureau.deps, SYSTEM, national_id)
    if as_json:
        _json(invite)
    else:
        out.print(f"enrolment code for {invite['national_id_masked']}: "
                  f"{invite['enrolment_code']}", highlight=False)


# -- furnishing --------------------------------------------------------------------------------

@app.command("ingest")
def ingest(file: Annotated[Path, typer.Argument(help="A Metro 2 (character) or CSV file.")],
           furnisher: Annotated[str, typer.Option(help="The furnishing organisation's name.")],
           as_json: Annotated[bool, typer.Option(
               "--json", help="Print the summary as one JSON object (as GET "
                              "/v1/furnisher/files/{id} answers), every error included.")
           ] = False) -> None:
    """Ingest a furnishing file; exit 0 all accepted, 1 some rejected, 2 unreadable."""
    from openbureau.adapters.fileformats import FileUnreadable
    from openbureau.domain.roles import Principal, Role
    from openbureau.services import files
    from openbureau.services.export import furnisher_id

    bureau = _bureau()
    if not file.is_file():
        fail(f"no such file: {file}")
    try:
        who = Principal(Role.FURNISHER, furnisher_id(bureau.uow(), furnisher), furnisher)
        with file.open("rb") as f:
            file_id = files.receive(bureau.uow(), bureau.deps, who, file.name, f)
    except FileUnreadable as exc:
        fail(f"{file.name}: {exc}")
    except OpenBureauError as exc:
        fail(f"{file.name}: {exc.detail}")
    with _progress() as bar:
        task = bar.add_task(f"ingesting {file.name}", total=None)
        summary = files.ingest(bureau.uow(), bureau.deps, file_id, rescore=bureau.rescorer,
                               progress=lambda s: bar.update(task, completed=s.records))
    if as_json:
        _json(summary)
    else:
        out.print(f"{summary['status']}: {plural(summary['records'], 'record')}, "
                  f"{summary['accepted']:,} accepted, {summary['rejected']:,} rejected")
        for e in summary["errors"][:50]:
            out.print(escape(f"  line {e.get('line')}: {e['field']}: {e['message']}"),
                      highlight=False)
        if len(summary["errors"]) > 50:
            out.print(f"  ... {len(summary['errors']) - 50} more (use --json for all)")
        if summary.get("errors_truncated"):
            out.print(f"  {summary['errors_total']:,} errors in all; the first "
                      f"{len(summary['errors']):,} are kept (OPENBUREAU_MAX_ERRORS_KEPT)")
        if summary.get("failure_reason"):
            out.print(escape(f"  {summary['failure_reason']}"), highlight=False)
        if summary.get("warnings_total"):
            out.print(f"warnings (records stored in part): {summary['warnings_total']:,}")
            for e in summary["warnings"][:50]:
                out.print(escape(f"  line {e.get('line')}: {e['field']}: {e['message']}"),
                          highlight=False)
    if summary["status"] == "failed":
        raise typer.Exit(2)
    raise typer.Exit(1 if summary["errors"] else 0)


@app.command("export")
def export(furnisher: Annotated[str | None, typer.Option(
               help="The furnisher whose accounts to export (Metro 2 or CSV).")] = None,
           out_path: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
           fmt: Annotated[str, typer.Option("--format", help="metro2 or csv")] = "metro2",
           variable: Annotated[bool, typer.Option(help="Metro 2 variable-length blocks.")] = False,
           all_months: Annotated[bool, typer.Option(help="Every month, not the latest.")] = False,
           parquet: Annotated[Path | None, typer.Option(
               "--parquet", help="Instead: every credit file, as scoring reads it, to Parquet "
                                 "in this (new or empty) directory, partitioned by a hash of "
                                 "the subject id (docs/scale.md).")] = None,
           buckets: Annotated[int, typer.Option(min=1, help="Hash buckets (with --parquet).")]
           = 16) -> None:
    """Write a furnisher's accounts (Metro 2 or CSV), or every credit file to Parquet.

    Write a furnisher's accounts as the bureau holds them (Metro 2 or CSV), each subject as
    that furnisher reported it, or with --parquet every credit file to Parquet for batch
    rescoring."""
    if parquet is not None:
        if furnisher is not None or out_path is not None:
            fail("--parquet exports every credit file; it takes no --furnisher or --out")
        _export_parquet(parquet, buckets)
        return
    if furnisher is None or out_path is None:
        fail("give --furnisher and --out (Metro 2 or CSV), or --parquet DIR")
    from openbureau.services.export import furnisher_id, latest_records

    bureau = _bureau()
    fid = furnisher_id(bureau.uow(), furnisher)
    records = latest_records(bureau.uow(), bureau.deps, fid, all_months=all_months)
    with out_path.open("wb") as f:
        if fmt == "metro2":
            from openbureau.adapters.metro2_writer import write_metro2

            try:
                summary = write_metro2(records, f, reporter_name=furnisher,
                                       activity_date=bureau.clock.now().date(),
                                       variable=variable)
            except ValueError as exc:
                fail(f"cannot write Metro 2: {exc}; nothing usable was written to {out_path}")
            out.print(f"wrote {out_path}: {plural(summary.records, 'record')}, "
                      f"{plural(summary.bytes_written, 'byte')}")
        elif fmt == "csv":
            from openbureau.adapters.csv_io import write_csv
            from openbureau.services.export import csv_safe

            # formula-looking cells get a leading ' (docs/security.md, "Furnisher export")
            write_csv(csv_safe(records), f)
            out.print(f"wrote {out_path}")
        else:
            fail("--format must be metro2 or csv")


def _export_parquet(folder: Path, buckets: int) -> None:
    from openbureau.services.export import export_parquet

    bureau = _bureau()
    with _progress() as bar:
        task = bar.add_task("exporting credit files", total=None)
        manifest = export_parquet(bureau.uow(), folder, buckets=buckets,
                                  progress=lambda done, total: bar.update(
                                      task, completed=done, total=total))
    _json(manifest)


# -- demo --------------------------------------------------------------------------------------

@demo_app.command("seed")
def demo_seed(subjects: Annotated[int, typer.Option(min=1, help="People to generate.")] = 3000,
              seed: Annotated[int, typer.Option(help="Random seed (deterministic).")] = 7,
              if_empty: Annotated[bool, typer.Option(help="Do nothing when the database "
                                                     "already holds credit files.")] = False,
              showcase: Annotated[bool, typer.Option(
                  help="Score every file and stage what each demo role has to do (a late "
                       "payment to dispute, listings, an objection, an open dispute, a decline "
                       "notice, offers).")] = True,
              ) -> None:
    """Generate a synthetic population and furnish it through the normal path."""
    from openbureau.services import demo, demo_logins, demo_showcase

    bureau = _bureau()
    if if_empty:
        with bureau.uow() as uow:
            held = uow.rescore_jobs.files()
        if held:
            err.print(f"{plural(held, 'credit file')} already held; not seeding (drop "
                      "--if-empty to re-seed, which changes nothing for the same seed)")
            return
    picks = demo_showcase.Picks() if showcase else None
    with _progress() as bar:
        task = bar.add_task("seeding people", total=subjects)
        result = demo.seed(bureau.uow(), bureau.deps, subjects, seed=seed, picks=picks,
                           progress=lambda n: bar.update(task, completed=n))
    _summary("seeded", result)
    if picks is None:
        return
    if demo_showcase.staged(bureau.uow(), bureau.deps):
        err.print("the showcase is already staged; not staging it again")
        return
    with _progress() as bar:
        task = bar.add_task("scoring every file", total=None)
        staged = demo_showcase.stage(bureau.uow(), bureau.deps, picks,
                                     demo_logins.DEMO_PASSWORD,
                                     progress=lambda done, total: bar.update(
                                         task, completed=done, total=total))
    if staged["staged"]:
        _summary("staged", staged)
    else:
        err.print("too few people to stage the showcase (the demo consumer needs a late "
                  "payment on a Demo First Bank account); seed more people")


@demo_app.command("credentials")
def demo_credentials() -> None:
    """(Re)issue a key for one demo organisation of each role and a demo consumer login."""
    from openbureau.services import demo_logins

    bureau = _bureau()
    creds = demo_logins.issue(bureau.uow(), bureau.deps)
    # the landing page shows these in demo mode; the file stays on this machine, owner-only
    path = bureau.settings.var_dir / "demo-credentials.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(creds, default=str))
    path.chmod(0o600)
    out.print("[bold]demo credentials[/] (issued fresh on every run; older demo keys are revoked)")
    for c in creds:
        out.print(escape(f"  {c['role']:>9}  {c['who']:<16} {c['credential']}"), highlight=False,
                  soft_wrap=True)


# -- scoring ---------------------------------------------------------------------------------

@app.command("rescore")
def rescore_cmd(engine: Annotated[str | None, typer.Option(
                    help="sqlite|postgres|duckdb|spark (default: the operational database)")]
                = None,
                master: Annotated[str, typer.Option(help="Spark master URL.")] = "local[2]",
                batch: Annotated[int, typer.Option(min=1, help="Subjects per committed batch.")]
                = 1000,
                workdir: Annotated[Path | None, typer.Option(
                    help="duckdb/spark: where the Parquet export and scores go (kept; on a "
                         "cluster, storage every executor reaches). Default: a temporary "
                         "directory, removed afterwards.")] = None) -> None:
    """Rescore everyone with the active model; resumes an unfinished job of that model."""
    from openbureau.services import rescore

    bureau = _bureau()
    job = rescore.start(bureau.uow(), bureau.deps, engine or rescore.default_engine(bureau.deps))
    verb = "resuming" if job["done"] else "starting"
    err.print(f"{verb} job {job['id']} ({job['engine']}, model {job['model_version']})")
    with _progress() as bar:
        task = bar.add_task(f"rescoring with {job['engine']}", total=job["total"] or None,
                            completed=job["done"])
        job = rescore.run(bureau.uow(), bureau.deps, job["id"], batch=batch, master=master,
                          workdir=workdir,
                          progress=lambda done, total: bar.update(task, completed=done,
                                                                  total=total),
                          status=lambda msg: bar.console.print(msg, highlight=False))
    _json(job)
    if job["status"] != "done":
        raise typer.Exit(1)


# -- serving -----------------------------------------------------------------------------------

@app.command("serve")
def serve(host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          workers: Annotated[int, typer.Option(
              min=1, help="Server processes (uvicorn workers); about one per CPU core. "
                          "Each has its own connection pool.")] = 1) -> None:
    """Serve the API and the web pages."""
    import uvicorn

    from openbureau.adapters import metrics
    from openbureau.api import app as api_app

    bureau = _bureau()
    level = api_app.configure_logging(bureau.settings)
    if workers == 1:
        uvicorn.run(api_app.create_app(bureau=bureau, resume_files=True, serving=True),
                    host=host, port=port, log_level=level, access_log=False)
        return
    # uploads a crash left pending are resumed once, here; each worker builds its own app
    api_app.resume_pending_in_background(bureau)
    # counters are per process: in prometheus-client's multiprocess mode a scrape, whichever
    # worker answers it, adds up every worker's (the workers inherit the variable)
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR",
                          str(metrics.fresh_multiprocess_dir(bureau.settings.var_dir)))
    # uvicorn's access log names the client and the query string (a searched name): the app
    # writes its own (api/access_log.py)
    uvicorn.run("openbureau.api.app:worker_app", factory=True, workers=workers, host=host,
                port=port, log_level=level, access_log=False)


# -- deadlines and audit -----------------------------------------------------------------------

@deadlines_app.command("run")
def deadlines_run(now: Annotated[str | None, typer.Option(help="ISO 8601 instant to apply "
                                                          "deadlines as of (default: now).")]
                  = None,
                  every: Annotated[float | None, typer.Option(
                      min=1, help="Keep running: apply deadlines every N seconds "
                      "(for a scheduler-less deployment; stop with Ctrl-C or SIGTERM).")]
                  = None) -> None:
    """Apply every deadline that has passed (disputes, retention, inquiries, listings)."""
    import time

    from openbureau.services import deadlines

    if every is not None and now is not None:
        fail("--every applies deadlines as of the real time; it cannot be used with --now")
    bureau = _bureau(now=now)
    while True:
        ran = deadlines.run(bureau.uow(), bureau.deps)
        _json({"at": bureau.clock.now().isoformat(), **ran.as_dict()})
        if every is None:
            return
        time.sleep(every)


@audit_app.command("verify")
def audit_verify(checkpoint: Annotated[Path | None, typer.Option(
        "--checkpoint", help="A checkpoint file (`audit checkpoint`): also check that the chain "
        "still holds every head recorded there, with the same value.")] = None) -> None:
    """Verify the audit log's keyed hash chain (and its checkpoints).

    Walk the keyed hash chain; exit 1 and name the first bad event if it was tampered with
    (or a checkpoint no longer matches); exit 2 if the checkpoint file cannot be read."""
    from openbureau.services import audit_log

    bureau = _bureau()
    result = audit_log.verify(bureau.uow(), bureau.deps, checkpoints=checkpoint)
    _json(result.__dict__)
    if not result.ok:
        err.print(f"[bold red]audit chain broken:[/] {result.problem}", highlight=False)
        raise typer.Exit(1)
    if result.unkeyed_events:
        err.print(f"note: the first {result.unkeyed_events} events predate the audit key "
                  "(plain SHA-256); a checkpoint taken now pins them", highlight=False)


@audit_app.command("checkpoint")
def audit_checkpoint(out_file: Annotated[Path | None, typer.Option(
        "--out", help="The checkpoint log to append to (default: "
        "OPENBUREAU_AUDIT_CHECKPOINT_FILE, else var/audit-checkpoints.jsonl).")] = None) -> None:
    """Append the audit chain's head to the checkpoint log, after verifying the chain.

    Verify the chain and the checkpoints already written, then append the chain's head
    (event, chain value, time, MAC) to the checkpoint log and print it. Copy the log somewhere
    write-once; `audit verify --checkpoint FILE` checks the chain against it. Exit 1 (nothing
    written) when the chain or an earlier checkpoint does not verify; 2 when the file cannot be
    read or written."""
    from openbureau.services import audit_log

    bureau = _bureau()
    path = out_file or bureau.settings.resolved_audit_checkpoint_file()
    try:
        result, line = audit_log.checkpoint(bureau.uow(), bureau.deps, path)
    except OSError as exc:
        fail(f"cannot write the checkpoint file {path}: {exc.strerror or exc}")
    if line is None:
        _json(result.__dict__)
        err.print(f"[bold red]not checkpointed, the audit chain does not verify:[/] "
                  f"{result.problem}", highlight=False)
        raise typer.Exit(1)
    _json({**line, "file": str(path)})


# -- models ------------------------------------------------------------------------------------

@model_app.command("train")
@needs_train_extra("training")
def model_train(data: Annotated[Path, typer.Option(help="GMSC-format CSV (.csv or .csv.gz).")],
                version: Annotated[str, typer.Option(help="Version of the new spec.")]
                = "gmsc-2026.11.1",
                out_dir: Annotated[Path, typer.Option(
                    "--out", help="Folder to write VERSION.json and VERSION/model-card.md "
                    "into; src/openbureau/scoring/models publishes them with the package.")]
                = Path("var/models"),
                card: Annotated[bool, typer.Option(help="Write the model card.")] = True,
                register: Annotated[bool, typer.Option(help="Register the spec in the "
                                                       "database (inactive).")] = False,
                pairs: Annotated[int, typer.Option(help="Pair rows (2-D bins) to add: the "
                                                   "best by held-out gain "
                                                   "(modelling/pairs.py).")] = 0) -> None:
    """Train the scorecard (optbinning + logistic regression) and write spec and model card."""
    if not data.is_file():
        fail(f"no such file: {data}")
    from openbureau.modelling.training import ScorecardTrainer, train_main

    target = out_dir / f"{version}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    trained = train_main(data, target, out_dir / version if card else None, version,
                         trainer=ScorecardTrainer(pairs=pairs))
    if register:
        from openbureau.services import models

        bureau = _bureau()
        models.register(bureau.uow(), bureau.deps, SYSTEM, json.loads(target.read_text()))
        err.print(f"registered {trained.version} (inactive; `POST /v1/admin/models/"
                  f"{trained.version}/activate` to use it)")


@identity_app.command("train")
@needs_train_extra("training")
def identity_train(
        out_dir: Annotated[Path, typer.Option(
            "--out", help="Folder for model.json (splink's), tf.json, meta.json and "
            "model_card.md; src/openbureau/identity/models/VERSION publishes them with the "
            "package.")],
        people: Annotated[int, typer.Option(help="People in the synthetic training "
                                            "population.")] = 20000,
        seed: Annotated[int, typer.Option(help="Seed of the population.")] = 3) -> None:
    """Train the identity-matching model with splink (DuckDB) on the synthetic population."""
    from openbureau.identity import features, training
    from openbureau.synthetic import identities

    pop = identities.population(people, seed)
    rows = [features.of(r.subject) for r in pop.records]
    err.print(f"training on {len(rows):,} records of {people:,} synthetic people ...")
    trained = training.train(rows)
    model = training.write(out_dir, trained, training.term_frequencies(rows),
                           trained_on=f"the synthetic identity population (openbureau.synthetic."
                           f"identities, {people:,} people, seed {seed}: {len(rows)} records)")
    out.print(f"wrote {model.version} to {out_dir} (link at weight >= "
              f"{model.thresholds.link:g}, review at >= {model.thresholds.review:g})")


@identity_app.command("holds")
def identity_holds_list(as_json: Annotated[bool, typer.Option(
        "--json", help="Print the holds as JSON.")] = False) -> None:
    """Records held for identity review (no identity values shown)."""
    from openbureau.services import identity_holds

    bureau = _bureau()
    items = identity_holds.list_holds(bureau.uow(), bureau.deps)["items"]
    if as_json:
        out.print_json(data=items)
        return
    for h in items:
        best = h["candidates"][0] if h["candidates"] else None
        out.print(f"{h['hold_ref']}  {h['furnisher']}  line {h['line']}  {h['reason']}"
                  + (f"  best {best['file']} ({best['weight']:+.1f})" if best else ""))
    err.print(f"{len(items)} held")


@identity_app.command("relink")
def identity_relink(
        engine: Annotated[str, typer.Option(help="duckdb (in-process) or spark (local[2] "
                                            "unless SPARK_MASTER says otherwise).")] = "duckdb",
        apply: Annotated[bool, typer.Option(
            "--apply", help="Apply the proposed merges and splits to the database (lineage, "
                            "audit); without it the run stops at its proposals.")] = False,
        run_dir: Annotated[Path | None, typer.Option(
            "--run-dir", help="The run's directory: a new one starts a run, an existing one "
                              "continues it where it stopped (default: var/relink/RUN).")]
        = None,
        stop_after: Annotated[str | None, typer.Option(
            help="Stop after this stage (extract, pairs, clusters, proposals, apply).")]
        = None,
        memory_limit: Annotated[str, typer.Option(
            help="DuckDB's memory limit (2GB keeps a 1,000,000-people relink under 8 GB)."
        )] = "2GB",
        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]
        = False) -> None:
    """Re-link every file in batch: merges of one person's files, splits of shared ones.

    Re-link every file in batch: propose (and with --apply make) merges of files that are
    one person and splits of files holding two, under the integrity rules (docs/identity.md)."""
    import os
    import secrets

    from openbureau.services import relink

    if engine not in relink.ENGINES:
        fail(f"--engine must be one of {', '.join(relink.ENGINES)}")
    bureau = _bureau()
    folder = run_dir or bureau.settings.var_dir / "relink" / (
        bureau.clock.now().strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3))
    spark = None
    if engine == "spark":
        from openbureau.adapters.scoring_engines import spark_session

        spark = spark_session(os.environ.get("SPARK_MASTER", "local[2]"))
    with _progress() as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        try:
            run = relink.Run(folder, bureau.vault, uow=bureau.uow(), spark=spark,
                             progress=progress,
                             options=relink.Options(engine=engine, apply=apply,
                                                    stop_after=stop_after,
                                                    memory_limit=memory_limit))
            summary = run.execute()
        finally:
            if spark is not None:
                spark.stop()
    if as_json:
        _json({**summary, "run_dir": str(folder)})
        return
    out.print(f"run {summary['run']} in {folder}: done {', '.join(summary['completed'])}")
    proposed = summary["stages"].get("proposals")
    if proposed:
        out.print(f"proposed: {plural(proposed['merges'], 'merge')}, "
                  f"{plural(proposed['splits'], 'split')} "
                  f"({plural(proposed['accounts_moving'], 'account')} moving); "
                  f"see {folder / 'proposals.json'}")
    applied = summary["stages"].get("apply")
    if applied:
        out.print(f"applied: {plural(applied['merged'], 'merge')}, "
                  f"{plural(applied['split'], 'split')}, "
                  f"{plural(applied['accounts_moved'], 'account')} moved")


@model_app.command("evaluate")
@needs_train_extra("evaluate")
def model_evaluate(data: Annotated[Path, typer.Option(help="GMSC-format CSV (.csv or .csv.gz).")],
                   version: Annotated[str | None, typer.Option(help="Model version (default: "
                                                               "the active one).")] = None,
                   out_path: Annotated[Path | None, typer.Option("--out", help="Write scores "
                                                                 "to this CSV.")] = None,
                   boosting: Annotated[bool, typer.Option(
                       help="On the card's own training data, also train gradient boosting on "
                            "the same attributes and print its held-out AUC.")] = True) -> None:
    """Score a CSV in the training data's format and print AUC, KS and Gini.

    Score a CSV in the training data's format; print AUC, KS and Gini (on the card's own
    training data: of its held-out rows, beside gradient boosting's)."""
    import tempfile


    if not data.is_file():
        fail(f"no such file: {data}")
    spec = _spec_for(version)
    from openbureau.modelling.evaluate import evaluate_main

    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        try:
            evaluate_main(data, spec_path, out_path, boosting=boosting)
        except (KeyError, ValueError) as exc:
            fail(f"{data.name}: not in the training data's column format ({exc})")


@model_app.command("list")
def model_list() -> None:
    """List the registered scorecard versions and which one is active."""
    from openbureau.services import models

    table = Table("version", "active", "activated by")
    bureau = _bureau()
    for m in models.list_models(bureau.uow(), bureau.deps):
        table.add_row(m["version"], "yes" if m["active"] else "", escape(m["activated_by"] or ""))
    out.print(table)


@model_app.command("activate")
def model_activate(version: Annotated[str, typer.Argument(
        help="A registered model version (see `openbureau model list`).")]) -> None:
    """Make a registered model version the active one (audited)."""
    from openbureau.domain.roles import Principal, Role
    from openbureau.services import models

    bureau = _bureau()
    models.activate(bureau.uow(), bureau.deps, Principal(Role.OPERATOR, 0, "cli"), version)
    out.print(f"active model: {version}")


def _spec_for(version: str | None) -> dict[str, Any]:
    """A shipped spec by version without touching the database, else the registry's."""
    from openbureau.services import models

    if version is not None:
        for spec in models.shipped_specs():
            if spec["version"] == version:
                return spec
    bureau = _bureau()
    found = models.spec_of(bureau.uow(), bureau.deps, version) if version \
        else models.active_spec(bureau.uow(), bureau.deps)
    if found is None:
        fail("no active model; run `openbureau db upgrade`")
    return found


@model_app.command("export-pmml")
def model_export_pmml(out_path: Annotated[Path, typer.Option("--out", help="PMML file to write.")],
                      version: Annotated[str | None, typer.Option(help="Model version (default: "
                                                                  "the active one).")] = None
                      ) -> None:
    """Export a scorecard as a PMML 4.4 Scorecard model (raw and clipped score, reason codes)."""
    from openbureau.modelling.pmml import to_pmml
    from openbureau.scoring.spec import load_spec

    card = load_spec(_spec_for(version))
    out_path.write_text(to_pmml(card), encoding="utf-8")
    err.print(f"wrote {out_path}: PMML 4.4 Scorecard {card.version}")


@model_app.command("fairness")
@needs_train_extra("fairness")
def model_fairness(data: Annotated[Path, typer.Option(help="The card's training data (GMSC "
                                                      "format, .csv or .csv.gz).")],
                   version: Annotated[str | None, typer.Option(help="Model version (default: "
                                                               "the active one).")] = None,
                   out_path: Annotated[Path | None, typer.Option(
                       "--out", help="Markdown report; the JSON goes next to it. Default "
                       "var/models/VERSION/fairness.md; src/openbureau/scoring/models/VERSION/"
                       "fairness.md publishes it with that model.")] = None,
                   boot: Annotated[int, typer.Option(help="Bootstrap resamples.", min=0,
                                                     max=10_000)] = 1000) -> None:
    """Audit a card's fairness on its held-out training rows.

    Audit a card (the active one by default) on the rows of its training data it was not
    fitted on: adverse impact ratios at each published cut-off and at matched approval rates,
    SMD, equal opportunity and calibration by group, with bootstrap intervals and p-values, and
    the attributes each score gap comes from."""
    if not data.is_file():
        fail(f"no such file: {data}")
    from openbureau.modelling.fairness_report import fairness_main
    from openbureau.scoring.spec import load_spec

    card = load_spec(_spec_for(version))
    target = out_path or Path("var/models") / card.version / "fairness.md"
    try:
        report = fairness_main(card, data, target, n_boot=boot)
    except (KeyError, ValueError) as exc:
        fail(f"{data.name}: not the data card {card.version} was trained on ({exc})")
    low = report["lowest_air"]
    err.print(f"wrote {target} and {target.with_suffix('.json')}; card {card.version}: lowest "
              f"AIR {low['air']:.3f} [{low['ci95'][0]}, {low['ci95'][1]}] ({low['by']} "
              f"{low['group']}, cut-off {low['cutoff']})", highlight=False)


@model_app.command("lda-search")
@needs_train_extra("lda-search")
def model_lda_search(
        data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding the "
                                               "datasets (german_credit.csv.gz, "
                                               "taiwan_default.csv.gz, gmsc.csv.gz).")],
        dataset: Annotated[list[str] | None, typer.Option(
            help="german (default), taiwan or gmsc; repeat for several.")] = None,
        out_path: Annotated[Path, typer.Option("--out", help="Markdown report; the JSON "
                                               "goes next to it.")] = Path("docs/lda.md"),
        repeats: Annotated[int, typer.Option(help="CV repeats of the search.", min=2,
                                             max=50)] = 5,
        confirm: Annotated[int, typer.Option(help="Fresh CV seeds confirming the choice.",
                                             min=1, max=100)] = 10) -> None:
    """Search for a less discriminatory alternative card.

    Search for a less discriminatory alternative card: train every candidate of the declared
    search space, score each against the baseline with paired repeated cross-validation, apply
    the selection rule fixed in advance and confirm the choice on fresh seeds."""
    from openbureau.modelling.datasets import DATASETS
    from openbureau.modelling.lda import lda_main

    names = dataset or ["german"]
    for name in names:
        if name not in DATASETS:
            fail(f"unknown dataset {name!r}; one of {', '.join(DATASETS)}")
        if not (data_dir / DATASETS[name].file).is_file():
            fail(f"no such file: {data_dir / DATASETS[name].file}")
    results = lda_main(names, data_dir, out_path, repeats=repeats, confirm=confirm,
                       progress=lambda line: err.print(line, highlight=False))
    for res in results:
        err.print(f"{res['dataset']}: {res['decision']['result']} "
                  f"({res['decision']['why']}); {res['seconds']:.0f} s", highlight=False)
    err.print(f"wrote {out_path} and {out_path.with_suffix('.json')}")
