// What /proc says about a server process: CPU time, minor page faults, peak resident memory. The benchmarks read
// them around a measure, so the figures belong to the server alone and not to the client that drives it.
import * as fs from 'node:fs';

/** sysconf(_SC_CLK_TCK), 100 on every Linux that Node.js supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of /proc/PID/stat after the command name (which may hold spaces): index 0 is field 3, the state. */
function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
}

/**
 * CPU time a process has used so far, in microseconds: the sum of its threads' run times in nanoseconds from
 * /proc/PID/task/TID/schedstat (its threads live as long as the server), else user + system from /proc/PID/stat,
 * whose 10 ms ticks are too coarse for a few thousand appends.
 */
export function cpuMicros(pid: number): number {
  try {
    let nanoseconds = 0;
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      nanoseconds += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    }
    return nanoseconds / 1000;
  } catch {
    const fields = statFields(pid);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
  }
}

/** Minor page faults of the process so far (field 10 of /proc/PID/stat): first touches of memory, mostly. */
export function minorFaults(pid: number): number {
  return Number(statFields(pid)[7]);
}

/** The peak resident memory of the process so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}
