# bench/beam.exs: the workloads of `dynsup-sim bench`, measured on the real Elixir
# DynamicSupervisor, for a side-by-side comparison.
#
#   elixir bench/beam.exs [--children N] [--runs R] [--restarts C]
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

  def main(argv) do
    {opts, _, _} =
      OptionParser.parse(argv, strict: [children: :integer, runs: :integer, restarts: :integer])

    n = Keyword.get(opts, :children, 100_000)
    runs = Keyword.get(opts, :runs, 3)
    restart_cycles = Keyword.get(opts, :restarts, 100_000)

    # Restart cycles log a child_terminated report each; silence the logger for the whole run.
    Logger.configure(level: :none)
    :logger.set_primary_config(:level, :none)
    Process.flag(:trap_exit, true)

    progress("BEAM: Elixir #{System.version()}, OTP #{System.otp_release()}, " <>
      "#{System.schedulers_online()} schedulers, #{n} children, median of #{runs} runs")

    population = for run <- 1..runs, do: population_run(n, run, runs)
    restarts = for run <- 1..runs, do: restart_run(restart_cycles, run, runs)

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
    ]

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
