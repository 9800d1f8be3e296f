"""`hub energy ingest FILE.csv | target | report`: energy use (能耗) over gRPC.

CSV files have a header row: unit_id,period,carrier,value,unit (carrier by
English name or Chinese label: electricity/电, water/水, heat/热, coal/煤, gas/天然气).
"""
from __future__ import annotations

import sys

from reports.remote import add_caller_options

COLUMNS = ("unit_id", "period", "carrier", "value", "unit")


def _quantity(unit_id: str, period: str, carrier: str, value: str, unit: str):
    """An EnergyQuantity, or a reason the text cannot become one."""
    from hub.reports.v1 import energy_pb2
    from reports.domain.energy import parse_carrier
    from reports.grpc_energy import carrier_number
    parsed = parse_carrier(carrier)
    if parsed is None:
        return f"unknown carrier {carrier!r}"
    try:
        number = float(value)
    except ValueError:
        return f"value {value!r} is not a number"
    return energy_pb2.EnergyQuantity(unit_id=unit_id, period=period, carrier=carrier_number(parsed),
                                     value=number, unit=unit)


def _read_csv(path: str):
    """(quantities, problems); problems name CSV lines."""
    import csv
    quantities, problems = [], []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            return [], [f"{path}: header lacks {', '.join(missing)} (expected {','.join(COLUMNS)})"]
        for row in reader:
            made = _quantity(*((row[c] or "").strip() for c in COLUMNS))
            if isinstance(made, str):
                problems.append(f"line {reader.line_num}: {made}")
            else:
                quantities.append((reader.line_num, made))
    return quantities, problems


def _send(args, config, rpc_name: str, request, lines: list[int] | None = None):
    import grpc

    from hub.reports.v1 import energy_service_pb2_grpc
    from reports.remote import client, describe_error

    def line_of(field: str) -> str:
        if not lines or "[" not in field:
            return ""
        index = int(field.split("[", 1)[1].split("]", 1)[0])
        return f" (line {lines[index]})" if index < len(lines) else ""

    api = client(args, config, energy_service_pb2_grpc.EnergyServiceStub)
    try:
        return getattr(api, rpc_name)(request)
    except grpc.RpcError as error:
        print(describe_error(error, line_of), file=sys.stderr)
        return None
    finally:
        api.close()


def _ingest(args, config) -> int:
    from hub.reports.v1 import energy_service_pb2 as api
    rows, problems = _read_csv(args.file)
    if problems:
        print("\n".join(problems + ["nothing was sent"]), file=sys.stderr)
        return 1
    reply = _send(args, config, "IngestReadings", api.IngestReadingsRequest(readings=[q for _, q in rows]),
                  [line for line, _ in rows])
    if reply is None:
        return 1
    print(f"stored {reply.stored} reading(s) from {args.file}")
    return 0


def _target(args, config) -> int:
    from hub.reports.v1 import energy_service_pb2 as api
    made = _quantity(args.unit_id, args.period, args.carrier, args.value, args.unit)
    if isinstance(made, str):
        print(made, file=sys.stderr)
        return 1
    reply = _send(args, config, "SetTargets", api.SetTargetsRequest(targets=[made]))
    if reply is None:
        return 1
    print(f"target set: {args.unit_id} {args.period} {args.carrier} {args.value} {args.unit}")
    return 0


def _number(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _percent(value) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def _report(args, config) -> int:
    from hub.reports.v1 import energy_pb2, energy_service_pb2 as api
    reply = _send(args, config, "GetEnergyReport", api.GetEnergyReportRequest(period=args.period, top_n=args.top))
    if reply is None:
        return 1

    def optional(line, name):
        return getattr(line, name) if line.HasField(name) else None

    def carrier(line):
        return energy_pb2.EnergyCarrier.Name(line.carrier).removeprefix("ENERGY_CARRIER_").lower()

    print(f"energy {reply.period} (previous {reply.previous_period})")
    print(f"{'unit':<16} {'carrier':<12} {'actual':>14} {'target':>14} {'variance':>9} {'vs previous':>11}")
    for line in reply.lines:
        print(f"{line.unit_id:<16} {carrier(line):<12} {_number(optional(line, 'actual')):>14} "
              f"{_number(optional(line, 'target')):>14} {_percent(optional(line, 'variance_percent')):>9} "
              f"{_percent(optional(line, 'change_percent')):>11}  {line.base_unit}")
    print("top overruns: " + (", ".join(f"{l.unit_id} {carrier(l)} +{l.variance_percent:.1f}%"
                                         if l.HasField("variance_percent") else f"{l.unit_id} {carrier(l)} (target 0)"
                                         for l in reply.top_overruns) or "none"))
    return 0


def register(subparsers) -> None:
    energy = subparsers.add_parser("energy", help="energy consumption against targets (能耗)")
    actions = energy.add_subparsers(dest="action", required=True)

    ingest = actions.add_parser("ingest", help="ingest readings from a CSV file, all or nothing (role energy-manager)")
    ingest.add_argument("file", help="CSV with header " + ",".join(COLUMNS))
    ingest.set_defaults(func=_ingest)

    target = actions.add_parser("target", help="set one target (role energy-manager)")
    for name in COLUMNS:
        target.add_argument(name)
    target.set_defaults(func=_target)

    report = actions.add_parser("report", help="a period's use against targets and the previous period")
    report.add_argument("period", help="a month 2026-03 or a quarter 2026Q1")
    report.add_argument("--top", type=int, default=10, help="overruns listed (default 10)")
    report.set_defaults(func=_report)

    for parser in (ingest, target, report):
        add_caller_options(parser)
