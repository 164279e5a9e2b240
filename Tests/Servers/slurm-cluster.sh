#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for the campaign tests: munged, slurmctld and slurmd from
# Debian's packages, started directly (no systemd), everything under one directory.
#
#   slurm-cluster.sh up DIR      configure and start; prints SLURM_CONF=DIR/slurm.conf once sbatch can be used
#   slurm-cluster.sh down DIR    stop the daemons (the directory is left for the caller to remove)
#
# As root. The ports are chosen from DIR's name so that two clusters on one machine do not collide. Accounting
# is off (so `sacct` answers with an error, which mlgymctl must take in its stride), processes are tracked by
# /proc (proctrack/linuxproc) and not confined (task/none): the machine's cgroups are the daemons' business.
set -euo pipefail

action=${1:?usage: slurm-cluster.sh up|down DIR}
dir=${2:?usage: slurm-cluster.sh up|down DIR}

stop_pid() {
    local file=$1
    [ -f "$file" ] || return 0
    local pid
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

if [ "$action" = down ]; then
    # Jobs first, while the controller still answers.
    if [ -f "$dir/slurm.conf" ]; then SLURM_CONF=$dir/slurm.conf scancel --full --user=root 2>/dev/null || true; fi
    stop_pid "$dir/slurmd.pid"
    stop_pid "$dir/slurmctld.pid"
    stop_pid "$dir/munged.pid"
    exit 0
fi
[ "$action" = up ] || { echo "slurm-cluster.sh: unknown action $action (up or down)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "slurm-cluster.sh: run as root" >&2; exit 1; }
for tool in munged slurmctld slurmd sbatch squeue scancel; do
    command -v "$tool" >/dev/null || { echo "slurm-cluster.sh: $tool is missing (scripts/setup installs munge, slurmctld, slurmd, slurm-client)" >&2; exit 1; }
done

mkdir -p "$dir"/{state,spool,log}
chmod 0700 "$dir"
dir=$(cd "$dir" && pwd)
# Ports in 20000-39999, from the directory's name.
base=$(( 20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 10000 * 2 ))

# munge: a key of our own, a socket of our own; munged insists on private directories.
dd if=/dev/urandom of="$dir/munge.key" bs=1024 count=1 status=none
chmod 0400 "$dir/munge.key"
# The daemons get no stdin/stdout of ours: a caller reading this script's output to its end would otherwise wait
# for them to exit.
munged --force --key-file="$dir/munge.key" --socket="$dir/munge.sock" --pid-file="$dir/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munged.seed" </dev/null >>"$dir/log/daemons.out" 2>&1

# At least 4 CPUs, so that a 4-element array runs at once even on a 2-core machine (config_overrides allows it).
cpus=$(nproc); [ "$cpus" -ge 4 ] || cpus=4
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
cat > "$dir/slurm.conf" <<EOF
ClusterName=mlgymtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$base
SlurmdPort=$(( base + 1 ))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
MinJobAge=300
MaxArraySize=1001
NodeName=mlgymnode NodeHostname=$(hostname -s) NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=mlgym Nodes=mlgymnode Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF" </dev/null >>"$dir/log/daemons.out" 2>&1
slurmd -f "$SLURM_CONF" -N mlgymnode </dev/null >>"$dir/log/daemons.out" 2>&1

# Ready when the node is idle (it registers within a second or two).
for _ in $(seq 300); do
    state=$(sinfo -h -N -n mlgymnode -o '%t' 2>/dev/null || true)
    case "$state" in
        idle*|mix*|alloc*) echo "SLURM_CONF=$SLURM_CONF"; exit 0 ;;
    esac
    sleep 0.1
done
echo "slurm-cluster.sh: the node did not come up within 30 s (state '${state:-}'); logs in $dir/log" >&2
tail -n 20 "$dir"/log/*.log >&2 || true
exit 1
