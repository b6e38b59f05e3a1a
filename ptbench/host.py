"""The asv machine a run records under must be the host it runs on.

asv names a machine from ``~/.asv-machine.json`` and never checks it against the hardware, so a
copied machine file, or a VM image that comes up on another CPU, files its results in an existing
machine's series. Between two 2-core VMs of one kind (AMD EPYC and Intel Xeon) the times of one
point differed by 0.75-2.0x (autograd median 1.63x, timm eager 1.23x), enough to draw false
regressions and improvements across every release of the dashboard. So a run that saves results
stops when the recorded machine's processor, core count or architecture is not this host's.

    python -m ptbench.host NAME     # record this host as asv machine NAME, with its detected values

(``asv machine --yes --machine NAME`` records the name alone, so nothing could be checked later.)
"""

import subprocess
import sys
from pathlib import Path

from asv import util
from asv.machine import Machine, MachineCollection

from benchmarks._config import ConfigError

USAGE = "usage: python -m ptbench.host NAME  (record this host as asv machine NAME)"


def _words(text):
    return " ".join(str(text).lower().split())


def mismatch(recorded, host):
    """Why ``host`` (asv's detected values) is not the machine ``recorded`` (an asv machine entry),
    or None. A recorded processor name may be shortened ("AMD EPYC"): it must begin the host's."""
    differs = [
        f"{key} {recorded[key]!r}, this host {host[key]!r}"
        for key in ("arch", "num_cpu")
        if recorded.get(key) and str(recorded[key]) != str(host[key])
    ]
    if recorded.get("cpu") and not _words(host["cpu"]).startswith(_words(recorded["cpu"])):
        differs.append(f"cpu {recorded['cpu']!r}, this host {host['cpu']!r}")
    return "; ".join(differs) or None


def series_values(values):
    """``values`` (an asv machine entry) as a series keeps them: the kernel's release without the
    VM image's build ("Linux 6.18.44-fc-v1272" -> "Linux 6.18.44") and the memory in whole GiB.
    asv draws a separate line for every value that differs, and a VM's image build and reserved
    memory change from one boot of the same machine to the next."""
    stable = dict(values)
    if stable.get("os"):
        system, _, release = str(stable["os"]).partition(" ")
        stable["os"] = f"{system} {release.split('-')[0]}".strip()
    if str(stable.get("ram", "")).isdigit():
        stable["ram"] = f"{round(int(stable['ram']) / 2**30)} GiB"
    return stable


def machine_name():
    """This machine's name for asv without --machine: the entry of ~/.asv-machine.json named after
    this host, else its only entry; the file is created from defaults if missing."""
    if not Path(MachineCollection.get_machine_file_path()).exists():
        subprocess.run([sys.executable, "-m", "asv", "machine", "--yes"], check=True, stdout=subprocess.DEVNULL)
    try:
        return MachineCollection.load(Machine.get_unique_machine_name())["machine"]
    except util.UserError as e:  # several machines recorded (python -m ptbench.host NAME), none this host's name
        raise ConfigError(f"{e} Choose one with --machine NAME") from None


def check(machine_name=None):
    """Raise ConfigError when the machine asv would record under (``--machine``, or the machine
    file's only entry) was recorded on other hardware. A machine asv does not know yet is created
    from this host's values, so it passes."""
    name = machine_name or Machine.get_unique_machine_name()
    try:
        recorded = MachineCollection.load(name)
    except util.UserError:
        return
    why = mismatch(recorded, Machine.get_defaults())
    if why:
        raise ConfigError(
            f"machine {recorded.get('machine', name)!r} was recorded on other hardware ({why}), so this "
            "host's results would join its series; name this host (python -m ptbench.host NAME) "
            "and run with --machine NAME"
        )


def record(name):
    """Record this host as asv machine ``name`` with asv's detected values as a series keeps them
    (``series_values``); refuse a name that is already recorded on other hardware."""
    check(name)
    values = series_values({**Machine.get_defaults(), "machine": name})
    MachineCollection.save(name, values)
    return values


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    # A name is never an option: "--help" was once recorded as a machine.
    if len(args) != 1 or args[0].startswith("-"):
        sys.exit(USAGE)
    try:
        values = record(args[0])
    except ConfigError as e:
        sys.exit(f"error: {e}")
    print(
        f"== machine {values['machine']}: {values['cpu']}, {values['num_cpu']} CPUs, {values['arch']}, "
        f"{values['os']}, {values['ram']}, in {MachineCollection.get_machine_file_path()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
