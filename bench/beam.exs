# bench/beam.exs: the workloads of `dynsup-sim bench`, measured on the real Elixir
# DynamicSupervisor, for a side-by-side comparison.
#
#   elixir --erl "+P 4194304" bench/beam.exs [--children N] [--runs R] [--restarts C] [--scale M]
#
# Progress goes to stderr; stdout gets one JSON object (keys suffixed `_100k` are measured at
# N children, 100k by default). Every figure is the median of R runs (3 by default).
#
# What is measured, all from one client process calling the supervisor:
#   start_child_ns_per_child_100k      N sequential start_child calls / N
#   bytes_per_child_100k               (memory of the supervisor + its N children) / N, from
#                                      Process.info(pid, :memory)
#   count_children_ns_100k             one count_children call at N children
#   which_children_ms_100k             one which_children call at N children
#   terminate_child_ns_per_child_100k  N sequential terminate_child calls / N
#   restarts_per_sec                   kill a permanent child, wait until its restart is up
#
# With --scale M (M > 0; `dynsup-sim bench --vs-beam` passes its --tokio-children), the seeds'
# scale workloads of the tokio runtime's section, at M live children (M past 262,144 needs a
# larger process limit than the default: `--erl "+P 4194304"`):
#   scale_start_child_us_per_child      M sequential start_child calls / M
#   scale_bytes_per_child               (memory of the supervisor + its M children) / M
#   scale_terminate_child_us_per_child  M sequential terminate_child calls / M
#   scale_stop_s                        stopping the supervisor with M children, in seconds
#                                       (only for M <= 100,000: the BEAM's stop is quadratic
#                                       in M, 66 s at 100k here, hours at 1M)
#   scale_partition_1_starts_per_sec    children started per second through a
#   scale_partition_2_starts_per_sec    PartitionSupervisor of 1 (2) DynamicSupervisors, from
#                                       one process per partition (each starts the integer
#                                       keys that route to its partition: rem(key, partitions))
#
# Restart cycles run in batches of 1,000 on a fresh supervisor with max_restarts 1,000,000 and
# max_seconds 1: OTP keeps the restart stamps in a list that every restart filters, so one
# long-lived supervisor restarting flat out would measure that list more than the restart.

defmodule BeamBench.Child do
  @moduledoc false
  use GenServer, restart: :permanent

  def start_link(notify), do: GenServer.start_link(__MODULE__, notify)

  @impl true
  def init(nil), do: {:ok, nil}

  def init(notify) do
    send(notify, {:up, self()})
    {:ok, nil}
  end
end

defmodule BeamBench do
  @moduledoc false

  # The largest children count whose stop is measured (see scale_run).
  @max_stop_children 100_000

  def main(argv) do
    {opts, _, _} =
      OptionParser.parse(argv,
        strict: [children: :integer, runs: :integer, restarts: :integer, scale: :integer]
      )

    n = Keyword.get(opts, :children, 100_000)
    runs = Keyword.get(opts, :runs, 3)
    restart_cycles = Keyword.get(opts, :restarts, 100_000)
    scale = Keyword.get(opts, :scale, 0)

    # Restart cycles log a child_terminated report each; silence the logger for the whole run.
    Logger.configure(level: :none)
    :logger.set_primary_config(:level, :none)
    Process.flag(:trap_exit, true)

    progress("BEAM: Elixir #{System.version()}, OTP #{System.otp_release()}, " <>
      "#{System.schedulers_online()} schedulers, #{n} children, median of #{runs} runs")

    population = for run <- 1..runs, do: population_run(n, run, runs)
    restarts = for run <- 1..runs, do: restart_run(restart_cycles, run, runs)
    scaled = if scale > 0, do: scale_figures(scale, runs), else: []

    figures = [
      {"start_child_ns_per_child_100k", median(Enum.map(population, & &1.start_ns))},
      {"bytes_per_child_100k", median(Enum.map(population, & &1.bytes))},
      {"count_children_ns_100k", median(Enum.map(population, & &1.count_ns))},
      {"which_children_ms_100k", median(Enum.map(population, & &1.which_ms))},
      {"terminate_child_ns_per_child_100k", median(Enum.map(population, & &1.terminate_ns))},
      {"restarts_per_sec", median(restarts)},
      {"children", n},
      {"runs", runs},
      {"cores", System.schedulers_online()},
      {"otp_release", String.to_integer(System.otp_release())}
    ] ++ scaled

    IO.puts(to_json(figures, System.version()))
  end

  defp progress(text), do: IO.puts(:stderr, text)

  # One run of the population workloads: start N, measure, count, which, terminate N.
  defp population_run(n, run, runs) do
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)
    spec = {BeamBench.Child, nil}

    {start_us, pids} =
      :timer.tc(fn ->
        for _ <- 1..n do
          {:ok, pid} = DynamicSupervisor.start_child(sup, spec)
          pid
        end
      end)

    bytes = memory_of([sup | pids]) / n
    %{active: ^n} = DynamicSupervisor.count_children(sup)

    count_ns = median(for _ <- 1..5, do: elem(:timer.tc(fn -> DynamicSupervisor.count_children(sup) end), 0) * 1000)
    which_ms = median(for _ <- 1..3, do: elem(:timer.tc(fn -> DynamicSupervisor.which_children(sup) end), 0) / 1000)

    {terminate_us, _} =
      :timer.tc(fn ->
        for pid <- pids, do: :ok = DynamicSupervisor.terminate_child(sup, pid)
      end)

    %{active: 0} = DynamicSupervisor.count_children(sup)
    stop(sup)

    result = %{
      start_ns: start_us * 1000 / n,
      bytes: bytes,
      count_ns: count_ns,
      which_ms: which_ms,
      terminate_ns: terminate_us * 1000 / n
    }

    progress("  run #{run}/#{runs}: start_child #{round1(result.start_ns / 1000)} us/child, " <>
      "#{round(bytes)} B/child, count_children #{round1(count_ns / 1000)} us, " <>
      "which_children #{round1(which_ms)} ms, terminate_child #{round1(result.terminate_ns / 1000)} us/child")

    result
  end

  # The seeds' scale workloads at m children, each the median of `runs` runs.
  defp scale_figures(m, runs) do
    progress("BEAM: #{m} children (the tokio runtime's workloads)")
    samples = for run <- 1..runs, do: scale_run(m, run, runs)
    pick = fn key -> median(Enum.map(samples, &Map.fetch!(&1, key))) end

    stop = if m <= @max_stop_children, do: [{"scale_stop_s", pick.(:stop_s)}], else: []

    [
      {"scale_children", m},
      {"scale_start_child_us_per_child", pick.(:start_us)},
      {"scale_bytes_per_child", pick.(:bytes)},
      {"scale_terminate_child_us_per_child", pick.(:terminate_us)}
    ] ++
      stop ++
      [
        {"scale_partition_1_starts_per_sec", pick.(:partition_1)},
        {"scale_partition_2_starts_per_sec", pick.(:partition_2)}
      ]
  end

  defp scale_run(m, run, runs) do
    spec = {BeamBench.Child, nil}
    {:ok, sup} = DynamicSupervisor.start_link(strategy: :one_for_one)

    {start_us, pids} =
      :timer.tc(fn ->
        for _ <- 1..m do
          {:ok, pid} = DynamicSupervisor.start_child(sup, spec)
          pid
        end
      end)

    bytes = memory_of([sup | pids]) / m

    {terminate_us, _} =
      :timer.tc(fn ->
        for pid <- pids, do: :ok = DynamicSupervisor.terminate_child(sup, pid)
      end)

    # Stopping takes time quadratic in the children count on the BEAM (while it shuts its
    # children down one by one, the supervisor scans its growing mailbox of their exits: 66 s
    # at 100k children here), so it is measured only up to @max_stop_children.
    stop_us =
      if m <= @max_stop_children do
        for _ <- 1..m, do: {:ok, _} = DynamicSupervisor.start_child(sup, spec)
        {stop_us, _} = :timer.tc(fn -> stop(sup) end)
        stop_us
      else
        stop(sup)
        nil
      end

    result = %{
      start_us: start_us / m,
      bytes: bytes,
      terminate_us: terminate_us / m,
      stop_s: stop_us && stop_us / 1_000_000,
      partition_1: partition_starts(m, 1),
      partition_2: partition_starts(m, 2)
    }

    progress("  run #{run}/#{runs}: start_child #{round1(result.start_us)} us/child, " <>
      "#{round(bytes)} B/child, terminate_child #{round1(result.terminate_us)} us/child, " <>
      "stop #{if result.stop_s, do: "#{round1(result.stop_s)} s", else: "not measured"}, " <>
      "partitions 1: #{round(result.partition_1)}/s, " <>
      "2: #{round(result.partition_2)}/s")

    result
  end

  # Children started per second through a PartitionSupervisor of `partitions` partitions.
  defp partition_starts(m, partitions) do
    name = :"beam_bench_partitions_#{partitions}"

    {:ok, sup} =
      PartitionSupervisor.start_link(child_spec: DynamicSupervisor, name: name, partitions: partitions)

    spec = {BeamBench.Child, nil}

    {us, _} =
      :timer.tc(fn ->
        0..(partitions - 1)
        |> Enum.map(fn partition ->
          Task.async(fn ->
            for key <- partition..(m - 1)//partitions do
              {:ok, _} = DynamicSupervisor.start_child({:via, PartitionSupervisor, {name, key}}, spec)
            end
          end)
        end)
        |> Task.await_many(:infinity)
      end)

    # Its DynamicSupervisors are killed first, their children with them (a stop would shut
    # the children down one by one, in quadratic time; see scale_run).
    for {_, partition, _, _} <- Supervisor.which_children(sup), do: Process.exit(partition, :kill)
    stop(sup)
    m / (us / 1_000_000)
  end

  defp memory_of(pids) do
    pids
    |> Enum.map(fn pid ->
      case Process.info(pid, :memory) do
        {:memory, bytes} -> bytes
        nil -> 0
      end
    end)
    |> Enum.sum()
  end

  # Kill-and-restart cycles: the child reports each new incarnation to us.
  defp restart_run(cycles, run, runs) do
    batch = 1_000
    batches = max(div(cycles, batch), 1)

    total_us =
      Enum.reduce(1..batches, 0, fn _, acc ->
        {:ok, sup} =
          DynamicSupervisor.start_link(strategy: :one_for_one, max_restarts: 1_000_000, max_seconds: 1)

        {:ok, first} = DynamicSupervisor.start_child(sup, {BeamBench.Child, self()})
        receive do: ({:up, ^first} -> :ok)

        {us, _} = :timer.tc(fn -> cycle(first, batch) end)
        stop(sup)
        acc + us
      end)

    rate = batches * batch / (total_us / 1_000_000)
    progress("  run #{run}/#{runs}: #{round(rate)} restart cycles/s")
    rate
  end

  defp cycle(_pid, 0), do: :ok

  defp cycle(pid, left) do
    Process.exit(pid, :kill)

    receive do
      {:up, new} -> cycle(new, left - 1)
    end
  end

  defp stop(sup) do
    Process.unlink(sup)
    ref = Process.monitor(sup)
    Process.exit(sup, :shutdown)
    receive do: ({:DOWN, ^ref, _, _, _} -> :ok)
  end

  defp median(values) do
    sorted = Enum.sort(values)
    len = length(sorted)
    mid = div(len, 2)

    if rem(len, 2) == 1,
      do: Enum.at(sorted, mid),
      else: (Enum.at(sorted, mid - 1) + Enum.at(sorted, mid)) / 2
  end

  defp round1(x), do: Float.round(x / 1, 1)

  defp to_json(figures, version) do
    fields =
      Enum.map(figures, fn {key, value} -> "\"#{key}\": #{number(value)}" end) ++
        ["\"elixir_version\": \"#{version}\""]

    "{" <> Enum.join(fields, ", ") <> "}"
  end

  defp number(value) when is_integer(value), do: Integer.to_string(value)
  defp number(value) when is_float(value), do: :erlang.float_to_binary(value, [{:decimals, 3}])
end

BeamBench.main(System.argv())
