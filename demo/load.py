"""Load the demo's content beyond the observations, with the same ``xietong`` commands an operator types, run in
this one process (one start-up instead of ten). Idempotent: ``make demo`` runs it every time and a second run
adds nothing. The data directory is ``XIETONG_DATA_DIR`` (the Makefile sets it).

What it loads (sources in ``demo/data/README.md``):

1. the Beijing–Tianjin cooperation agreement (the real text in ``tests/data/agreements/``);
2. the illustrative hindsight forecasts of Beijing for the two December 2016 episodes;
3. the fictitious enterprise sample (graded measures need enterprises);
4. the water incident the platform's rule finds in the real Nov-2025 samples (``water incident detect``);
5. the trading page's content: 36 real daily quotes of the Beijing and Tianjin pilot markets (a 50-row trim of
   the shared file; rows of other markets or without a date are refused and listed) and the compliance years of
   20 real EU installations (Austria, Ireland) replayed from the EU Transaction Log sample;
6. the services page's content: the README's worked cross-province case (a pension transfer received in Langfang for
   Beijing, suspended once, decided and completed; offices, applicant and identity number constructed for the
   example, the number stored encrypted);
7. two **replays** of December 2016 with ``--now`` (for drills and replays): warning 1 proposed for Beijing on
   2016-12-14, accepted by Beijing and so issued for 16–21 Dec; warning 2 proposed on 2016-12-29 for Beijing,
   Tianjin and Baoding, answered by Beijing only: an open consultation. Their reasons say they are replays.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer.main
from click.exceptions import Exit

from xietong.cli import app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "demo" / "data"
TRADING = ROOT / "tests" / "data" / "trading"
AGREEMENT = ROOT / "tests" / "data" / "agreements" / "beijing_tianjin_cooperation_agreement.txt"
REPLAY = "演示回放（示意，非官方预警） Demo replay, illustrative — not an official warning: "
BEIJING = "beijing-eeb-demo"


def xietong(*args: str) -> str:
    """Run one ``xietong`` command in this process and return what it printed; stop the demo if it fails."""
    command = typer.main.get_command(app)
    from contextlib import redirect_stdout  # noqa: PLC0415
    from io import StringIO  # noqa: PLC0415 - only here

    out = StringIO()
    try:
        with redirect_stdout(out):
            command.main(list(args), prog_name="xietong", standalone_mode=False)
    except Exit as exc:
        if exc.exit_code:
            sys.exit(f"xietong {' '.join(args)} failed (exit {exc.exit_code}):\n{out.getvalue()}")
    except SystemExit as exc:
        if exc.code:
            sys.exit(f"xietong {' '.join(args)} failed (exit {exc.code}):\n{out.getvalue()}")
    return out.getvalue()


def say(what: str) -> None:
    print(f"demo: {what}", flush=True)


def replays() -> None:
    if any(w["reason"].startswith(REPLAY) for w in json.loads(xietong("warn", "list", "--json") or "[]")):
        say("the December 2016 warning replays are already loaded")
        return
    principals = xietong("principal", "list")
    if BEIJING not in principals:
        xietong("principal", "create", BEIJING, "--jurisdiction", "北京", "--kind", "service")
    token = json.loads(xietong("token", "create", BEIJING, "--scope", "warn", "--scope", "read",
                               "--label", "demo replays", "--expires-days", "1", "--json"))["token"]  # fmt: skip
    first = json.loads(xietong(
        "warn", "propose", "--city", "北京", "--level", "red", "--from", "2016-12-16", "--to", "2016-12-21",
        "--deadline", "2016-12-14T18:00+08:00", "--now", "2016-12-14T10:00+08:00", "--rules", "key-regions-2024",
        "--reason", REPLAY + "北京 AQI 预报 12 月 16–21 日超过 300 / Beijing forecast AQI above 300 on 16–21 Dec",
        "--json",
    ))  # fmt: skip
    xietong("warn", "answer", str(first["id"]), "--city", "北京", "--answer", "accept",
            "--now", "2016-12-14T12:00+08:00", "--token", token)  # fmt: skip
    second = json.loads(xietong(
        "warn", "propose", "--city", "北京", "--city", "天津", "--city", "保定", "--level", "orange",
        "--from", "2016-12-30", "--to", "2017-01-07", "--deadline", "2016-12-29T20:00+08:00",
        "--now", "2016-12-29T09:00+08:00", "--rules", "key-regions-2024",
        "--reason", REPLAY + "区域 AQI 预报 12 月 30 日起超过 200 / regional forecast AQI above 200 from 30 Dec",
        "--json",
    ))  # fmt: skip
    xietong("warn", "answer", str(second["id"]), "--city", "北京", "--answer", "counter", "--level", "red",
            "--now", "2016-12-29T11:00+08:00", "--token", token)  # fmt: skip
    say(f"warnings {first['id']} (issued in Beijing) and {second['id']} (open, Beijing answered) replayed")


def token(principal: str, jurisdiction: str, *scopes: str) -> str:
    """A one-day token of a demo principal (created when absent)."""
    if principal not in xietong("principal", "list"):
        xietong("principal", "create", principal, "--jurisdiction", jurisdiction, "--kind", "service")
    args = [arg for scope in scopes for arg in ("--scope", scope)]
    created = xietong("token", "create", principal, *args, "--label", "demo", "--expires-days", "1", "--json")
    return str(json.loads(created)["token"])


def services_case() -> None:
    """The README's worked case (docs/services.md): received in Langfang for Beijing, suspended, completed."""
    if json.loads(xietong("services", "stats", "--json")).get("cases", 0):
        say("the worked services case is already loaded")
        return
    lf = token("lf-services-demo", "廊坊", "read", "services", "publish:services")
    bj = token("bj-services-demo", "北京", "read", "services", "publish:services")
    xietong(
        "services", "office", "add", "LF-SI-EX", "-j", "廊坊", "--name-zh", "廊坊社会保险窗口（示例）", "--token", lf
    )
    xietong(
        "services",
        "office",
        "add",
        "BJ-SI-EX",
        "-j",
        "北京",
        "--name-zh",
        "北京社会保险经办机构（示例）",
        "--token",
        bj,
    )
    xietong("services", "case", "receive", "--token", lf, "--item", "JJJ-PS-001", "--at", "LF-SI-EX", "--to",
            "BJ-SI-EX", "--on", "2025-09-26", "--mode", "forwarded", "--identity-number", "131002198001011238",
            "--name", "示例申请人")  # fmt: skip
    xietong("services", "case", "suspend", "1", "--on", "2025-09-29", "--reason", "written application missing",
            "--token", lf)  # fmt: skip
    application = DATA / "services_written_application_example.txt"
    xietong("services", "case", "resume", "1", "--on", "2025-10-13", "--document",
            f"written_application={application}", "--token", lf)  # fmt: skip
    for step, day, who, extra in [
        ("completeness_check", "2025-10-13", lf, []),
        ("forwarded", "2025-10-15", lf, []),
        ("accepted", "2025-10-17", bj, []),
        ("decided", "2025-11-05", bj, ["--outcome", "approved"]),
        ("result_returned", "2025-11-06", bj, []),
        ("completed", "2025-11-20", lf, []),
    ]:
        xietong("services", "case", "step", "1", step, "--on", day, *extra, "--token", who)
    say("services: the worked case 1 (Langfang → Beijing pension transfer) received, suspended once and completed")


def main() -> None:
    say("agreement: " + xietong("agreements", "import", str(AGREEMENT)).strip().splitlines()[0])
    say(
        "forecasts: "
        + xietong("warn", "forecasts", "ingest", str(DATA / "forecasts_beijing_2016-12_illustrative.csv")).strip()
    )
    say("enterprises: " + xietong("warn", "enterprises", "import", str(DATA / "enterprises_illustrative.csv")).strip())
    say("water incidents detected: " + (xietong("water", "incident", "detect").strip() or "none new"))
    say("pilot carbon quotes: " + xietong("trading", "quotes", "ingest", str(TRADING / "pilot_quotes_50.csv"))
        .strip().splitlines()[0])  # fmt: skip
    replay = xietong("trading", "replay", str(TRADING / "eutl_AT_IE_20"), "--format", "eutl", "--store", "--no-report")
    say("EU registry replay: " + replay.strip().splitlines()[-1])
    services_case()
    replays()


if __name__ == "__main__":
    main()
