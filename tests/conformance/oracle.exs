# The real-OTP oracle for dynsup's scenario files.
#
#     elixir tests/conformance/oracle.exs FILE...
#
# Runs each scenario (format: docs/scenarios.md, "format 1") against Elixir's real
# DynamicSupervisor, in real time, and prints its transcript on stdout. A file with a `sup` line
# is a tree file (docs/tree-scenarios.md): it runs against OTP's real `supervisor` (Elixir's
# Supervisor) and DynamicSupervisor, nested and registered by name (sections 1b and 4b). With several files each
# transcript is preceded by a line `== NAME` (the file name without directory and `.scn`).
#
# Exit status: 0 on success; 2 when a file is bad (one line on stderr: FILE:LINE: problem; then
# nothing runs) or when a scenario does not settle (a restart retried forever).
#
# Sections:
#   1. Scenario parser      (text -> %{sup, children, steps}; all validation happens here)
#   1b. Tree parser         (text -> %{root, sups, workers, order, steps}; reuses section 1)
#   2. Collector            (one process that records the events and monitors every child)
#   3. Worker               (the scripted child: a GenServer driven by the template)
#   4. Runner               (the client: aligns t=0, runs the steps, settles, prints)
#   4b. Tree runner         (static/dynamic supervisors of a tree, their calls, settling the tree)
#   5. Main                 (arguments, warm-up, output, exit status)

# Keep stdout for the transcript only: no supervisor/crash reports.
Logger.configure(level: :none)
:logger.set_primary_config(:level, :none)

# ---------------------------------------------------------------------------------------------
# 1. Scenario parser
# ---------------------------------------------------------------------------------------------
defmodule Oracle.Scenario do
  @moduledoc false

  # Decisions the format leaves open (mirrored by the Rust parser):
  # * numbers (MS, N, K) are canonical decimals: `0` or `[1-9][0-9]*`; no sign, no leading zero;
  # * NAME matches `[a-z][a-z0-9_]*`, WORD (a reason or a stop word) matches `[a-z0-9_]+`;
  # * words are separated by spaces only (a tab inside a line is part of a word, so an error);
  # * K in NAME#K is at least 1;
  # * shutdown=MS needs MS >= 1 (Elixir 1.14 rejects a shutdown of 0);
  # * max_seconds needs N >= 1 (the supervisor rejects a period of 0);
  # * an option given twice on one line, a second `supervisor` line or a second `child` line
  #   with the same NAME is an error;
  # * `child` lines may come after `at` lines, but a step may only name templates declared above it.

  @name ~r/\A[a-z][a-z0-9_]*\z/
  @word ~r/\A[a-z0-9_]+\z/
  @number ~r/\A(0|[1-9][0-9]*)\z/

  def parse_file(path) do
    case File.read(path) do
      {:ok, text} -> parse(text, path)
      {:error, why} -> {:error, "#{path}:0: cannot read the file (#{:file.format_error(why)})"}
    end
  end

  def parse(text, path) do
    init = %{
      sup: %{max_children: :infinity, max_restarts: 3, max_seconds: 5},
      sup_seen: false,
      children: %{},
      steps: [],
      last_ms: 0,
      # The line of the `suspend` not yet followed by its `resume` (docs/races.md), or nil.
      suspended_at: nil,
      line_no: 0,
      text: text
    }

    text
    |> String.split("\n")
    |> Enum.with_index(1)
    |> Enum.reduce_while({:ok, init}, fn {line, no}, {:ok, acc} ->
      stripped = String.trim(line)

      if stripped == "" or String.starts_with?(stripped, "#") do
        {:cont, {:ok, acc}}
      else
        case statement(String.split(stripped, " ", trim: true), %{acc | line_no: no}) do
          {:ok, acc} -> {:cont, {:ok, put_line(acc, no)}}
          {:error, msg} -> {:halt, {:error, "#{path}:#{no}: #{msg}"}}
        end
      end
    end)
    |> case do
      {:ok, %{suspended_at: nil} = acc} ->
        {:ok, %{acc | steps: Enum.reverse(acc.steps)}}

      {:ok, %{suspended_at: no}} ->
        {:error, "#{path}:#{no}: the file ends suspended (no `resume` after this `suspend`)"}

      err ->
        err
    end
  end

  # The newest step learns its line number (used in runtime error messages).
  defp put_line(%{steps: [%{line: nil} = s | rest]} = acc, no),
    do: %{acc | steps: [%{s | line: no} | rest]}

  defp put_line(acc, _no), do: acc

  # -- statements -------------------------------------------------------------------------------

  defp statement(["supervisor" | opts], acc) do
    cond do
      acc.sup_seen -> {:error, "a second `supervisor` line"}
      acc.steps != [] -> {:error, "`supervisor` must come before any `at` line"}
      true ->
        with {:ok, sup} <- options(opts, acc.sup, &sup_option/3) do
          {:ok, %{acc | sup: sup, sup_seen: true}}
        end
    end
  end

  defp statement(["child"], _acc), do: {:error, "`child` needs a NAME"}

  defp statement(["child", name | opts], acc) do
    defaults = %{restart: :permanent, shutdown: 5000, trap_exit: false, stop_ms: 0, init: [:ok]}

    cond do
      not Regex.match?(@name, name) -> {:error, "bad child name `#{name}` (want [a-z][a-z0-9_]*)"}
      Map.has_key?(acc.children, name) -> {:error, "child `#{name}` is defined twice"}
      true ->
        with {:ok, tmpl} <- options(opts, defaults, &child_option/3) do
          {:ok, %{acc | children: Map.put(acc.children, name, tmpl)}}
        end
    end
  end

  defp statement(["at"], _acc), do: {:error, "`at` needs a time and an operation"}

  defp statement(["at", ms | op_words], acc) do
    with {:ok, ms} <- number(ms, "time"),
         :ok <- (if ms < acc.last_ms, do: {:error, "time #{ms} is before the previous step's time #{acc.last_ms}"}, else: :ok),
         {:ok, op} <- operation(op_words, acc),
         {:ok, suspended_at} <- suspension(op, acc) do
      step = %{ms: ms, op: op, line: nil, text: "@#{ms} " <> Enum.join(op_words, " ")}
      {:ok, %{acc | steps: [step | acc.steps], last_ms: ms, suspended_at: suspended_at}}
    end
  end

  defp statement([word | _], _acc), do: {:error, "unknown keyword `#{word}`"}

  # suspend/resume pair up (docs/races.md): returns the new `suspended_at`.
  defp suspension(:suspend, %{suspended_at: nil} = acc), do: {:ok, acc.line_no}

  defp suspension(:suspend, %{suspended_at: no}),
    do: {:error, "a second `suspend` before `resume` (the supervisor is suspended since line #{no})"}

  defp suspension(:resume, %{suspended_at: nil}), do: {:error, "`resume` without a `suspend` before it"}
  defp suspension(:resume, _acc), do: {:ok, nil}
  defp suspension(_op, acc), do: {:ok, acc.suspended_at}

  # -- options ----------------------------------------------------------------------------------

  def options(words, defaults, fun) do
    Enum.reduce_while(words, {:ok, defaults, MapSet.new()}, fn word, {:ok, map, seen} ->
      case String.split(word, "=", parts: 2) do
        [key, value] ->
          if MapSet.member?(seen, key) do
            {:halt, {:error, "option `#{key}` given twice"}}
          else
            case fun.(key, value, map) do
              {:ok, map} -> {:cont, {:ok, map, MapSet.put(seen, key)}}
              err -> {:halt, err}
            end
          end

        _ ->
          {:halt, {:error, "expected KEY=VALUE, got `#{word}`"}}
      end
    end)
    |> case do
      {:ok, map, _} -> {:ok, map}
      err -> err
    end
  end

  defp sup_option("max_children", "infinity", m), do: {:ok, %{m | max_children: :infinity}}

  defp sup_option("max_children", v, m) do
    with {:ok, n} <- number(v, "max_children"), do: {:ok, %{m | max_children: n}}
  end

  defp sup_option("max_restarts", v, m) do
    with {:ok, n} <- number(v, "max_restarts"), do: {:ok, %{m | max_restarts: n}}
  end

  defp sup_option("max_seconds", v, m) do
    with {:ok, n} <- number(v, "max_seconds") do
      if n >= 1, do: {:ok, %{m | max_seconds: n}}, else: {:error, "max_seconds must be at least 1"}
    end
  end

  defp sup_option(key, _v, _m), do: {:error, "unknown supervisor option `#{key}`"}

  def child_option("restart", v, m) when v in ["permanent", "transient", "temporary"],
    do: {:ok, %{m | restart: String.to_atom(v)}}

  def child_option("restart", v, _m), do: {:error, "bad restart `#{v}`"}
  def child_option("shutdown", "brutal_kill", m), do: {:ok, %{m | shutdown: :brutal_kill}}
  def child_option("shutdown", "infinity", m), do: {:ok, %{m | shutdown: :infinity}}

  def child_option("shutdown", v, m) do
    with {:ok, n} <- number(v, "shutdown") do
      if n >= 1,
        do: {:ok, %{m | shutdown: n}},
        else: {:error, "shutdown must be brutal_kill, infinity or at least 1 ms (Elixir 1.14 rejects 0)"}
    end
  end

  def child_option("trap_exit", "true", m), do: {:ok, %{m | trap_exit: true}}
  def child_option("trap_exit", "false", m), do: {:ok, %{m | trap_exit: false}}
  def child_option("trap_exit", v, _m), do: {:error, "bad trap_exit `#{v}` (want true or false)"}

  def child_option("stop_ms", v, m) do
    with {:ok, n} <- number(v, "stop_ms"), do: {:ok, %{m | stop_ms: n}}
  end

  def child_option("init", v, m) do
    v
    |> String.split(",")
    |> Enum.reduce_while({:ok, []}, fn o, {:ok, acc} ->
      case outcome(o) do
        {:ok, x} -> {:cont, {:ok, [x | acc]}}
        err -> {:halt, err}
      end
    end)
    |> case do
      {:ok, list} -> {:ok, %{m | init: Enum.reverse(list)}}
      err -> err
    end
  end

  def child_option(key, _v, _m), do: {:error, "unknown child option `#{key}`"}

  def outcome("ok"), do: {:ok, :ok}
  def outcome("ignore"), do: {:ok, :ignore}

  def outcome("stop:" <> word) do
    if Regex.match?(@word, word), do: {:ok, {:stop, word}}, else: {:error, "bad init outcome `stop:#{word}`"}
  end

  def outcome(o), do: {:error, "bad init outcome `#{o}` (want ok, ignore or stop:WORD)"}

  # -- operations -------------------------------------------------------------------------------

  defp operation(["start", name], acc) do
    if Map.has_key?(acc.children, name),
      do: {:ok, {:start, name}},
      else: {:error, "step names child `#{name}` before any `child #{name}` line"}
  end

  defp operation(["terminate", ref], acc), do: with({:ok, r} <- ref(ref, acc), do: {:ok, {:terminate, r}})
  defp operation(["kill", ref], acc), do: with({:ok, r} <- ref(ref, acc), do: {:ok, {:kill, r}})

  defp operation(["exit", ref, reason], acc) do
    with {:ok, r} <- ref(ref, acc), {:ok, why} <- reason(reason), do: {:ok, {:exit, r, why}}
  end

  defp operation(["count"], _acc), do: {:ok, :count}
  defp operation(["which"], _acc), do: {:ok, :which}
  defp operation(["stop"], _acc), do: {:ok, :stop}
  defp operation(["suspend"], _acc), do: {:ok, :suspend}
  defp operation(["resume"], _acc), do: {:ok, :resume}
  defp operation([], _acc), do: {:error, "`at MS` needs an operation"}

  defp operation([op | _] = words, _acc)
       when op in ["start", "terminate", "kill", "exit", "count", "which", "stop", "suspend", "resume"],
       do: {:error, "wrong number of arguments for `#{op}` (#{length(words) - 1})"}

  defp operation([op | _], _acc), do: {:error, "unknown operation `#{op}`"}

  defp ref(text, acc) do
    with [name, k] <- String.split(text, "#", parts: 2),
         true <- Regex.match?(@name, name),
         {:ok, k} <- number(k, "attempt number") do
      cond do
        k < 1 -> {:error, "attempt number in `#{text}` must be at least 1"}
        not Map.has_key?(acc.children, name) -> {:error, "step names child `#{name}` before any `child #{name}` line"}
        true -> {:ok, text}
      end
    else
      {:error, _} = err -> err
      _ -> {:error, "bad process reference `#{text}` (want NAME#K)"}
    end
  end

  def reason("normal"), do: {:ok, :normal}
  def reason("shutdown"), do: {:ok, :shutdown}

  def reason("shutdown:" <> word) do
    if Regex.match?(@word, word), do: {:ok, {:shutdown, String.to_atom(word)}}, else: {:error, "bad reason `shutdown:#{word}`"}
  end

  def reason(word) do
    if Regex.match?(@word, word), do: {:ok, String.to_atom(word)}, else: {:error, "bad reason `#{word}`"}
  end

  def number(text, what) do
    if Regex.match?(@number, text),
      do: {:ok, String.to_integer(text)},
      else: {:error, "bad #{what} `#{text}` (want a decimal number without sign or leading zero)"}
  end
end

# ---------------------------------------------------------------------------------------------
# 1b. Tree-scenario parser (docs/tree-scenarios.md): a file with a `sup` line
# ---------------------------------------------------------------------------------------------
defmodule Oracle.TreeScenario do
  @moduledoc false

  # Reuses format 1's option, number, reason and outcome parsers (Oracle.Scenario). Choices the
  # contract leaves open (the Rust parser may be more lenient; conformance files avoid them):
  # * a static supervisor's `start`/`restart`/`terminate`/`delete NAME` must name a child
  #   declared in that supervisor; a dynamic one's `start NAME` a template of it;
  # * `exit REF` must name a worker; `kill REF` any worker or supervisor (the root is ROOT#1);
  # * `exit` and `kill` take no `on`; `stop` only on the root.

  @name ~r/\A[a-z][a-z0-9_]*\z/
  @max_sups 100
  @max_depth 8

  def tree_text?(text) do
    text
    |> String.split("\n")
    |> Enum.any?(fn line -> match?(["sup" | _], String.split(String.trim(line), " ", trim: true)) end)
  end

  def parse(text, path) do
    init = %{tree: true, root: nil, sups: %{}, workers: %{}, order: %{}, steps: [], last_ms: 0, nsups: 0}

    text
    |> String.split("\n")
    |> Enum.with_index(1)
    |> Enum.reduce_while({:ok, init}, fn {line, no}, {:ok, acc} ->
      stripped = String.trim(line)

      if stripped == "" or String.starts_with?(stripped, "#") do
        {:cont, {:ok, acc}}
      else
        case statement(String.split(stripped, " ", trim: true), acc) do
          {:ok, acc} -> {:cont, {:ok, put_line(acc, no)}}
          {:error, msg} -> {:halt, {:error, "#{path}:#{no}: #{msg}"}}
        end
      end
    end)
    |> case do
      {:ok, acc} ->
        {:ok, %{acc | steps: Enum.reverse(acc.steps), order: Map.new(acc.order, fn {k, v} -> {k, Enum.reverse(v)} end)}}

      err ->
        err
    end
  end

  defp put_line(%{steps: [%{line: nil} = s | rest]} = acc, no), do: %{acc | steps: [%{s | line: no} | rest]}
  defp put_line(acc, _no), do: acc

  defp declared?(acc, name), do: Map.has_key?(acc.sups, name) or Map.has_key?(acc.workers, name)

  # Collects `key=value` words as given (strings), checked afterwards.
  defp raw_options(words), do: Oracle.Scenario.options(words, %{}, fn k, v, m -> {:ok, Map.put(m, k, v)} end)

  # -- statements -------------------------------------------------------------------------------

  defp statement(["supervisor" | _], _acc), do: {:error, "a tree file may not contain a `supervisor` line"}
  defp statement(["sup"], _acc), do: {:error, "`sup` needs a NAME"}

  defp statement(["sup", name | opts], acc) do
    with :ok <- new_name(name, acc),
         :ok <- (if acc.nsups >= @max_sups, do: {:error, "more than #{@max_sups} `sup` lines"}, else: :ok),
         {:ok, o} <- raw_options(opts),
         {:ok, sup} <- sup_decl(name, o, acc) do
      acc = %{acc | sups: Map.put(acc.sups, name, sup), order: Map.put(acc.order, name, []), nsups: acc.nsups + 1}
      acc = if sup.parent, do: add_child(acc, sup.parent, name), else: %{acc | root: name}
      {:ok, acc}
    end
  end

  defp statement(["child"], _acc), do: {:error, "`child` needs a NAME"}

  defp statement(["child", name | opts], acc) do
    defaults = %{restart: :permanent, shutdown: 5000, trap_exit: false, stop_ms: 0, init: [:ok]}

    with :ok <- new_name(name, acc),
         :ok <- (if acc.root == nil, do: {:error, "the root `sup` line must come first"}, else: :ok),
         {:ok, o} <- raw_options(opts),
         {tree_opts, worker_opts} = Map.split(o, ["in", "significant", "later"]),
         {:ok, tmpl} <-
           Enum.reduce_while(worker_opts, {:ok, defaults}, fn {k, v}, {:ok, m} ->
             case Oracle.Scenario.child_option(k, v, m) do
               {:ok, m} -> {:cont, {:ok, m}}
               err -> {:halt, err}
             end
           end),
         {:ok, place} <- placement(tree_opts, acc, false) do
      w = Map.merge(tmpl, place)
      {:ok, add_child(%{acc | workers: Map.put(acc.workers, name, w)}, w.parent, name)}
    end
  end

  defp statement(["at"], _acc), do: {:error, "`at` needs a time and an operation"}

  defp statement(["at", ms | words], acc) do
    with :ok <- (if acc.root == nil, do: {:error, "the root `sup` line must come first"}, else: :ok),
         {:ok, ms} <- Oracle.Scenario.number(ms, "time"),
         :ok <- (if ms < acc.last_ms, do: {:error, "time #{ms} is before the previous step's time #{acc.last_ms}"}, else: :ok),
         {:ok, on, op_words} <- target(words, acc),
         {:ok, op} <- operation(op_words, on, acc) do
      step = %{ms: ms, on: on, op: op, line: nil, text: "@#{ms} " <> Enum.join(words, " ")}
      {:ok, %{acc | steps: [step | acc.steps], last_ms: ms}}
    end
  end

  defp statement([word | _], _acc), do: {:error, "unknown keyword `#{word}`"}

  defp new_name(name, acc) do
    cond do
      not Regex.match?(@name, name) -> {:error, "bad name `#{name}` (want [a-z][a-z0-9_]*)"}
      declared?(acc, name) -> {:error, "name `#{name}` is declared twice"}
      true -> :ok
    end
  end

  defp add_child(acc, parent, name), do: %{acc | order: Map.update!(acc.order, parent, &[name | &1])}

  # in=, significant=, later= of a `sup` (not the root) or `child` line.
  defp placement(o, acc, sup?) do
    parent = Map.get(o, "in", acc.root)

    with :ok <- (if Map.has_key?(acc.sups, parent), do: :ok, else: {:error, "`in=#{parent}` names no supervisor declared above"}),
         {:ok, significant} <- bool(o, "significant"),
         {:ok, later} <- bool(o, "later") do
      p = acc.sups[parent]

      cond do
        p.kind == :dynamic and (Map.has_key?(o, "significant") or Map.has_key?(o, "later")) ->
          {:error, "`significant` and `later` are not allowed in a dynamic supervisor's template"}

        sup? and p.depth + 1 > @max_depth ->
          {:error, "deeper than #{@max_depth} levels below the root"}

        true ->
          {:ok, %{parent: parent, parent_kind: p.kind, significant: significant, later: later, depth: p.depth + 1}}
      end
    end
  end

  defp bool(o, key) do
    case Map.get(o, key, "false") do
      "true" -> {:ok, true}
      "false" -> {:ok, false}
      v -> {:error, "bad #{key} `#{v}` (want true or false)"}
    end
  end

  @sup_keys ~w(in kind strategy max_children auto_shutdown max_restarts max_seconds restart shutdown significant later)

  defp sup_decl(name, o, acc) do
    root? = acc.root == nil

    with :ok <- check_keys(o, @sup_keys, "sup"),
         :ok <- (if root? and Enum.any?(~w(in restart shutdown significant later), &Map.has_key?(o, &1)),
                  do: {:error, "the root takes no in, restart, shutdown, significant nor later"}, else: :ok),
         :ok <- (if not root? and not Map.has_key?(o, "in"), do: {:error, "`sup #{name}` needs in=SUP"}, else: :ok),
         {:ok, kind} <- enum(o, "kind", ~w(static dynamic), "static"),
         :ok <- (if kind == :dynamic and (Map.has_key?(o, "strategy") or Map.has_key?(o, "auto_shutdown")),
                  do: {:error, "strategy and auto_shutdown are for static supervisors"}, else: :ok),
         :ok <- (if kind == :static and Map.has_key?(o, "max_children"),
                  do: {:error, "max_children is for dynamic supervisors"}, else: :ok),
         {:ok, strategy} <- enum(o, "strategy", ~w(one_for_one one_for_all rest_for_one), "one_for_one"),
         {:ok, auto} <- enum(o, "auto_shutdown", ~w(never any_significant all_significant), "never"),
         {:ok, restart} <- enum(o, "restart", ~w(permanent transient temporary), "permanent"),
         {:ok, flags} <- sup_numbers(o),
         {:ok, shutdown} <- shutdown(o),
         {:ok, place} <- (if root?, do: {:ok, %{parent: nil, parent_kind: nil, significant: false, later: false, depth: 0}},
                          else: placement(o, acc, true)) do
      {:ok,
       Map.merge(place, %{name: name, kind: kind, strategy: strategy, auto_shutdown: auto, restart: restart,
         shutdown: shutdown}) |> Map.merge(flags)}
    end
  end

  defp check_keys(o, keys, what) do
    case Enum.find(Map.keys(o), &(&1 not in keys)) do
      nil -> :ok
      k -> {:error, "unknown #{what} option `#{k}`"}
    end
  end

  defp enum(o, key, values, default) do
    v = Map.get(o, key, default)
    if v in values, do: {:ok, String.to_atom(v)}, else: {:error, "bad #{key} `#{v}`"}
  end

  defp sup_numbers(o) do
    m = %{max_children: :infinity, max_restarts: 3, max_seconds: 5}

    Enum.reduce_while(~w(max_children max_restarts max_seconds), {:ok, m}, fn key, {:ok, m} ->
      case Map.fetch(o, key) do
        :error ->
          {:cont, {:ok, m}}

        {:ok, "infinity"} when key == "max_children" ->
          {:cont, {:ok, m}}

        {:ok, v} ->
          case Oracle.Scenario.number(v, key) do
            {:ok, 0} when key == "max_seconds" -> {:halt, {:error, "max_seconds must be at least 1"}}
            {:ok, n} -> {:cont, {:ok, Map.put(m, String.to_atom(key), n)}}
            err -> {:halt, err}
          end
      end
    end)
  end

  defp shutdown(o) do
    case Map.fetch(o, "shutdown") do
      :error -> {:ok, :infinity}
      {:ok, v} -> with {:ok, m} <- Oracle.Scenario.child_option("shutdown", v, %{shutdown: nil}), do: {:ok, m.shutdown}
    end
  end

  # -- steps ------------------------------------------------------------------------------------

  defp target(["on", sup | rest], acc) do
    if Map.has_key?(acc.sups, sup), do: {:ok, sup, rest}, else: {:error, "`on #{sup}` names no supervisor declared above"}
  end

  defp target(words, _acc), do: {:ok, nil, words}

  defp operation(["exit", ref, reason], nil, acc) do
    with {:ok, r} <- ref(ref, acc, :worker), {:ok, why} <- Oracle.Scenario.reason(reason), do: {:ok, {:exit, r, why}}
  end

  defp operation(["kill", ref], nil, acc), do: with({:ok, r} <- ref(ref, acc, :any), do: {:ok, {:kill, r}})

  defp operation([op | _], on, _acc) when op in ["exit", "kill"] and on != nil,
    do: {:error, "`#{op}` takes no `on SUP`"}

  defp operation(words, nil, acc), do: operation(words, acc.root, acc)

  defp operation(["stop"], on, acc) do
    if on == acc.root, do: {:ok, :stop}, else: {:error, "`stop` is for the root only"}
  end

  defp operation(["count"], _on, _acc), do: {:ok, :count}
  defp operation(["which"], _on, _acc), do: {:ok, :which}

  defp operation([op, name], on, acc) when op in ["start", "terminate", "restart", "delete"] do
    kind = acc.sups[on].kind

    cond do
      op == "terminate" and kind == :dynamic -> with({:ok, r} <- ref(name, acc, :any), do: {:ok, {:terminate, r}})
      op in ["restart", "delete"] and kind == :dynamic -> {:error, "`#{op}` is for static supervisors"}
      not declared?(acc, name) -> {:error, "step names `#{name}` before its declaration"}
      parent_of(acc, name) != on -> {:error, "`#{name}` is not declared in `#{on}`"}
      true -> {:ok, {String.to_atom(op), name}}
    end
  end

  defp operation([], _on, _acc), do: {:error, "`at MS` needs an operation"}
  defp operation([op | _], _on, _acc), do: {:error, "unknown operation or wrong arguments `#{op}`"}

  defp parent_of(acc, name), do: (acc.sups[name] || acc.workers[name]).parent

  defp ref(text, acc, what) do
    with [name, k] <- String.split(text, "#", parts: 2),
         true <- Regex.match?(@name, name),
         {:ok, k} <- Oracle.Scenario.number(k, "attempt number") do
      cond do
        k < 1 -> {:error, "attempt number in `#{text}` must be at least 1"}
        not declared?(acc, name) -> {:error, "step names `#{name}` before its declaration"}
        what == :worker and not Map.has_key?(acc.workers, name) -> {:error, "`#{text}` is not a worker"}
        true -> {:ok, text}
      end
    else
      {:error, _} = err -> err
      _ -> {:error, "bad process reference `#{text}` (want NAME#K)"}
    end
  end
end

# ---------------------------------------------------------------------------------------------
# 2. Collector: records events; monitors every running child and the supervisor
# ---------------------------------------------------------------------------------------------
defmodule Oracle.Collector do
  @moduledoc false
  use GenServer

  def start, do: GenServer.start(__MODULE__, nil)

  def init(nil), do: {:ok, %{events: [], mons: %{}, pid_of: %{}, ref_of: %{}, info: %{}}}

  # `up`: called synchronously from the child's init, so the monitor exists before the child
  # can be killed, and before start_child (or the restart) returns. In a tree, `parent` is the
  # supervisor that started the process (the start function runs inside it) and `kind` is
  # :worker or :sup; a child supervisor reports itself from its start function, once its
  # start_link has returned (all its children started).
  def handle_call({:up, ref, pid}, from, st), do: handle_call({:up, ref, pid, nil, :worker}, from, st)

  def handle_call({:up, ref, pid, parent, kind}, _from, st) do
    mon = Process.monitor(pid)

    {:reply, :ok,
     %{st | events: ["up " <> ref | st.events], mons: Map.put(st.mons, mon, {ref, pid}),
       pid_of: Map.put(st.pid_of, ref, pid), ref_of: Map.put(st.ref_of, pid, ref),
       info: Map.put(st.info, pid, {kind, parent, ref})}}
  end

  # The root of a tree: known by its REF (for `kill`), its end printed as `sup down REASON`.
  def handle_call({:watch_root, ref, pid}, _from, st) do
    mon = Process.monitor(pid)

    {:reply, :ok,
     %{st | mons: Map.put(st.mons, mon, {:sup, pid}), pid_of: Map.put(st.pid_of, ref, pid),
       ref_of: Map.put(st.ref_of, pid, ref), info: Map.put(st.info, pid, {:root, nil, ref})}}
  end

  # The monitored processes not yet reported down, as {pid, kind, parent, ref}.
  def handle_call(:tree, _from, st) do
    tree =
      Enum.map(st.mons, fn {_, {_, pid}} ->
        {kind, parent, ref} = Map.get(st.info, pid, {:root, nil, nil})
        {pid, kind, parent, ref}
      end)

    {:reply, tree, st}
  end

  def handle_call({:format, reason}, _from, st), do: {:reply, Oracle.Format.reason(reason, st.ref_of), st}

  def handle_call({:event, text}, _from, st), do: {:reply, :ok, %{st | events: [text | st.events]}}

  def handle_call({:watch_sup, pid}, _from, st) do
    mon = Process.monitor(pid)
    {:reply, :ok, %{st | mons: Map.put(st.mons, mon, {:sup, pid})}}
  end

  def handle_call({:pid_of, ref}, _from, st), do: {:reply, Map.get(st.pid_of, ref), st}
  def handle_call({:ref_of, pid}, _from, st), do: {:reply, Map.get(st.ref_of, pid), st}
  def handle_call(:live_pids, _from, st), do: {:reply, Enum.map(st.mons, fn {_, {_, p}} -> p end), st}

  # Every monitored process that is dead by now has a DOWN on its way: wait for each of them, so
  # the batch is complete before it is flushed.
  def handle_call(:sync, _from, st) do
    st =
      Enum.reduce(st.mons, st, fn {mon, {_, pid}}, st ->
        if Process.alive?(pid) do
          st
        else
          receive do
            {:DOWN, ^mon, :process, _, reason} -> down(st, mon, reason)
          after
            30_000 -> raise "collector: no DOWN for a dead process"
          end
        end
      end)

    {:reply, :ok, st}
  end

  def handle_call(:flush, _from, st), do: {:reply, Enum.sort(st.events), %{st | events: []}}

  def handle_info({:DOWN, mon, :process, _, reason}, st), do: {:noreply, down(st, mon, reason)}

  defp down(st, mon, reason) do
    {{who, _pid}, mons} = Map.pop(st.mons, mon)

    text =
      case who do
        :sup -> "sup down " <> Oracle.Format.reason(reason, st.ref_of)
        ref -> "down #{ref} " <> Oracle.Format.reason(reason, st.ref_of)
      end

    %{st | events: [text | st.events], mons: mons}
  end
end

defmodule Oracle.Format do
  @moduledoc false
  def reason(:normal), do: "normal"
  def reason(:shutdown), do: "shutdown"
  def reason({:shutdown, w}) when is_atom(w), do: "shutdown:#{w}"
  def reason(:killed), do: "killed"
  def reason(w) when is_atom(w), do: Atom.to_string(w)
  def reason(other), do: inspect(other)

  # Tree files (docs/tree-scenarios.md, "Reasons as text"), applied recursively: an atom is its
  # name, a tuple its elements joined by `:`, a pid the REF of its process (`?` if none). For the
  # reasons of format 1 (atoms, {:shutdown, atom}) this is the same text as reason/1.
  def reason(r, _refs) when is_atom(r), do: Atom.to_string(r)
  def reason(r, refs) when is_tuple(r), do: r |> Tuple.to_list() |> Enum.map_join(":", &reason(&1, refs))
  def reason(r, refs) when is_pid(r), do: Map.get(refs, r, "?")
  def reason(r, _refs), do: inspect(r)
end

# ---------------------------------------------------------------------------------------------
# 3. Worker: the scripted child of a `child NAME ...` template
# ---------------------------------------------------------------------------------------------
defmodule Oracle.Worker do
  @moduledoc false
  use GenServer

  # The start function. It runs INSIDE the supervisor process (for explicit starts and for
  # restarts alike), so the attempt counter K lives in a public ETS table, shared by both paths.
  def start_link(name, tmpl, ctx) do
    k = :ets.update_counter(ctx.attempts, name, 1, {name, 0})
    outcome = Enum.at(tmpl.init, min(k, length(tmpl.init)) - 1)
    GenServer.start_link(__MODULE__, {"#{name}##{k}", outcome, tmpl, ctx.collector, self()})
  end

  @impl true
  def init({ref, outcome, tmpl, collector, parent}) do
    Process.flag(:trap_exit, tmpl.trap_exit)

    case outcome do
      :ok ->
        GenServer.call(collector, {:up, ref, self(), parent, :worker}, :infinity)
        {:ok, %{trap_exit: tmpl.trap_exit, stop_ms: tmpl.stop_ms, self_exit: false}}

      :ignore ->
        GenServer.call(collector, {:event, "ignore " <> ref}, :infinity)
        :ignore

      {:stop, word} ->
        GenServer.call(collector, {:event, "fail #{ref} #{word}"}, :infinity)
        {:stop, String.to_atom(word)}
    end
  end

  # `exit REF REASON`: the process ends by itself, at once, even if it traps exits.
  @impl true
  def handle_info({:oracle_exit, reason}, st), do: {:stop, reason, %{st | self_exit: true}}
  def handle_info(_other, st), do: {:noreply, st}

  # Reached by a self exit (no delay) or, for a trapping child, by the supervisor's
  # {:EXIT, sup, :shutdown}: GenServer treats it as its parent's exit, calls terminate/2 and then
  # exits with that same reason (:shutdown). That is the slow path: stop_ms of work first.
  @impl true
  def terminate(_reason, %{self_exit: false, trap_exit: true, stop_ms: ms}) when ms > 0,
    do: Process.sleep(ms)

  def terminate(_reason, _st), do: :ok
end

# ---------------------------------------------------------------------------------------------
# 4. Runner: the client process (the supervisor's parent)
# ---------------------------------------------------------------------------------------------
defmodule Oracle.Runner do
  @moduledoc false

  # A scenario that is still retrying restarts after this long (real time) does not settle.
  @settle_cap_ms 10_000

  # Runs one parsed scenario; returns the transcript as a list of lines, or
  # {:error, message} if it does not settle. `align?` is false only for the warm-up run.
  def run(scn, file, align? \\ true) do
    Process.flag(:trap_exit, true)
    attempts = :ets.new(:attempts, [:public, :set])
    {:ok, col} = Oracle.Collector.start()
    ctx = %{attempts: attempts, collector: col}

    specs =
      Map.new(scn.children, fn {name, t} ->
        {name, %{id: name, start: {Oracle.Worker, :start_link, [name, t, ctx]}, restart: t.restart, shutdown: t.shutdown}}
      end)

    # t=0 is a whole second of the monotonic clock, so that the restart-intensity stamps
    # (:erlang.monotonic_time(1), a floor) of the supervisor fall as floor(t / 1000) + const.
    now = now_ms()
    t0 = if align?, do: (Integer.floor_div(now, 1000) + 1) * 1000, else: now
    wait_until(t0)

    {:ok, sup} =
      DynamicSupervisor.start_link(
        strategy: :one_for_one,
        max_children: scn.sup.max_children,
        max_restarts: scn.sup.max_restarts,
        max_seconds: scn.sup.max_seconds
      )

    GenServer.call(col, {:watch_sup, sup})
    # suspended: between `suspend` and `resume` (docs/races.md); pending: the keys of the calls
    # made asynchronously meanwhile, in order; results: their answers, once known.
    st = %{sup: sup, sup_alive: true, col: col, specs: specs, t0: t0, file: file,
           suspended: false, pending: [], results: %{}}

    result =
      Enum.reduce_while(scn.steps, {st, [], nil}, fn step, {st, lines, prev} ->
        wait_until(t0 + step.ms)
        # The batch of the previous step ends when this step begins.
        lines = flush(st, prev, lines)
        {result, st, target} = op(step.op, st)

        {line, st} =
          case result do
            {:pending, key} -> {{:pending, key, step.text <> " -> "}, %{st | pending: st.pending ++ [key]}}
            text -> {step.text <> " -> " <> text, st}
          end

        case settle(st, target, step) do
          {:ok, st} -> {:cont, {st, lines, {line}}}
          {:error, _} = err -> {:halt, err}
        end
      end)

    out =
      case result do
        {:error, _} = err ->
          err

        {st, lines, prev} ->
          # After the last step: everything has settled already (settle/3 ran). A call made while
          # the supervisor was suspended gets its answer on its own line, after the fact.
          lines =
            Enum.map(flush(st, prev, lines), fn
              {:pending, key, prefix} -> prefix <> Map.fetch!(st.results, key)
              text -> text
            end)

          {:ok, Enum.reverse(lines)}
      end

    cleanup(sup, col, attempts)
    out
  end

  def flush(st, prev, lines) do
    events = GenServer.call(st.col, :flush)

    case prev do
      nil -> lines
      {line} -> Enum.reverse(Enum.map(events, &("  " <> &1))) ++ [line | lines]
    end
  end

  # -- operations (each returns {result text, state, process to wait for or nil}) ---------------

  defp op({:start, name}, st) do
    res =
      call_sup(st, fn -> DynamicSupervisor.start_child(st.sup, st.specs[name]) end, fn
        {:ok, pid} -> "ok " <> GenServer.call(st.col, {:ref_of, pid})
        :ignore -> "ignore"
        {:error, reason} when is_atom(reason) -> "error #{reason}"
      end)

    {res, st, nil}
  end

  defp op({:terminate, ref}, st) do
    # A REF that never existed: use a pid that is surely no child (a fresh dead one).
    pid = pid_of(st, ref) || dead_pid()

    res =
      call_sup(st, fn -> DynamicSupervisor.terminate_child(st.sup, pid) end, fn
        :ok -> "ok"
        {:error, :not_found} -> "error not_found"
      end)

    {res, st, nil}
  end

  defp op({:exit, ref, reason}, st) do
    signal(st, ref, fn pid -> send(pid, {:oracle_exit, reason}) end)
  end

  defp op({:kill, ref}, st) do
    signal(st, ref, fn pid -> Process.exit(pid, :kill) end)
  end

  defp op(:count, st) do
    res =
      call_sup(st, fn -> DynamicSupervisor.count_children(st.sup) end, fn c ->
        "active=#{c.active} specs=#{c.specs} supervisors=#{c.supervisors} workers=#{c.workers}"
      end)

    {res, st, nil}
  end

  defp op(:which, st) do
    res =
      call_sup(st, fn -> DynamicSupervisor.which_children(st.sup) end, fn
        [] ->
          "-"

        list ->
          list
          |> Enum.map(fn
            {_, :restarting, _, _} -> "restarting"
            {_, pid, _, _} -> GenServer.call(st.col, {:ref_of, pid})
          end)
          |> Enum.sort()
          |> Enum.join(" ")
      end)

    {res, st, nil}
  end

  defp op(:suspend, st) do
    if st.sup_alive do
      :ok = :sys.suspend(st.sup, :infinity)
      {"ok", %{st | suspended: true}, nil}
    else
      {"error noproc", %{st | suspended: true}, nil}
    end
  end

  # Lets the supervisor handle its mailbox; settle/3 then waits for all of it, after which every
  # call made while suspended has its answer (or its supervisor died: `error noproc`).
  defp op(:resume, st) do
    res =
      if st.sup_alive do
        :ok = :sys.resume(st.sup, :infinity)
        "ok"
      else
        "error noproc"
      end

    {res, %{st | suspended: false}, nil}
  end

  # Suspended too: sys's suspended loop still takes the parent's exit signal, so the supervisor
  # shuts down at once, whatever waits in its mailbox (what the real OTP showed; docs/races.md).
  defp op(:stop, st) do
    if st.sup_alive do
      # The parent's exit signal: GenServer runs terminate/2 (shutting every child down), then
      # the supervisor exits with the same reason. Wait for that EXIT here.
      Process.exit(st.sup, :shutdown)
      {"ok", wait_sup_exit(st), nil}
    else
      {"error noproc", st, nil}
    end
  end

  # exit/kill: `ok` if the process was alive; then wait for its death (client monitor).
  defp signal(st, ref, fun) do
    pid = pid_of(st, ref)

    if pid && Process.alive?(pid) do
      base = if st.suspended and st.sup_alive, do: queue_len(st.sup)
      mon = Process.monitor(pid)
      fun.(pid)

      receive do
        {:DOWN, ^mon, :process, _, _} -> :ok
      end

      # Suspended: the child's exit signal must be in the supervisor's mailbox before the next step.
      if base, do: wait_queued(st.sup, base)

      {"ok", st, pid}
    else
      {"dead", st, nil}
    end
  end

  # Suspended: the call is made from a process of its own and waits in the supervisor's mailbox;
  # its answer comes back as {:async_result, key, text} after `resume` (`error noproc` if the
  # supervisor ended before answering).
  def call_sup(%{suspended: true, sup_alive: true} = st, call, format) do
    me = self()
    key = make_ref()
    base = queue_len(st.sup)

    spawn(fn ->
      res =
        try do
          format.(call.())
        catch
          :exit, _ -> "error noproc"
        end

      send(me, {:async_result, key, res})
    end)

    wait_queued(st.sup, base)
    {:pending, key}
  end

  def call_sup(_st, call, format) do
    format.(call.())
  catch
    :exit, {:noproc, _} -> "error noproc"
  end

  defp queue_len(pid) do
    case Process.info(pid, :message_queue_len) do
      {:message_queue_len, n} -> n
      nil -> nil
    end
  end

  # Waits until `pid`'s mailbox holds more than `base` messages (or `pid` is gone).
  defp wait_queued(pid, base) do
    case queue_len(pid) do
      n when is_integer(n) and n <= base -> wait_queued(pid, base)
      _ -> :ok
    end
  end

  defp collect_results(%{pending: []} = st), do: st

  defp collect_results(%{pending: [key | rest]} = st) do
    receive do
      {:async_result, ^key, res} -> collect_results(%{st | pending: rest, results: Map.put(st.results, key, res)})
    after
      60_000 -> raise "no answer for a call made while suspended"
    end
  end

  def pid_of(st, ref), do: GenServer.call(st.col, {:pid_of, ref})

  def dead_pid do
    pid = spawn(fn -> :ok end)
    mon = Process.monitor(pid)

    receive do
      {:DOWN, ^mon, :process, _, _} -> pid
    end
  end

  # -- settling ---------------------------------------------------------------------------------
  #
  # The system has settled when the supervisor is dead (and its EXIT has reached us), or when it
  # is idle with no work left: every running entry's process is alive (so no EXIT is still
  # waiting in its mailbox) and no entry is {:restarting, _} (each such entry has a
  # {:"$gen_restart", pid} message queued behind whatever else is in the mailbox, so its retry is
  # still to come). :sys.get_state/2 is a system message: it is answered between two mailbox
  # messages, i.e. between two retries, never in the middle of a restart or a shutdown.
  # Finally the collector must have received the DOWN of every dead process.
  # While suspended only the children move: wait for the DOWNs of the dead ones.
  defp settle(%{suspended: true} = st, _target, _step) do
    GenServer.call(st.col, :sync, :infinity)
    {:ok, st}
  end

  defp settle(st, _target, step) do
    deadline = now_ms() + @settle_cap_ms

    case settle_sup(st, deadline, step) do
      {:ok, st} ->
        GenServer.call(st.col, :sync, :infinity)
        {:ok, collect_results(st)}

      err ->
        err
    end
  end

  defp settle_sup(%{sup_alive: false} = st, _deadline, _step), do: {:ok, st}

  defp settle_sup(st, deadline, step) do
    state =
      try do
        :sys.get_state(st.sup, :infinity)
      catch
        :exit, _ -> :dead
      end

    case state do
      :dead ->
        {:ok, wait_sup_exit(st)}

      %{children: children} ->
        restarting = for {_, {:restarting, spec}} <- children, do: spec
        unreaped = for {pid, {_mfa, _, _, _, _}} <- children, not Process.alive?(pid), do: pid

        cond do
          restarting == [] and unreaped == [] ->
            {:ok, st}

          restarting != [] and now_ms() > deadline ->
            [{{_, _, [name | _]}, _, _, _, _} | _] = restarting

            {:error,
             "#{st.file}:#{step.line}: the scenario does not settle: the restart of child `#{name}` " <>
               "is retried forever (still retrying after #{div(@settle_cap_ms, 1000)} s)"}

          true ->
            settle_sup(st, deadline, step)
        end
    end
  end

  defp wait_sup_exit(st) do
    sup = st.sup

    receive do
      {:EXIT, ^sup, _reason} -> %{st | sup_alive: false}
    after
      60_000 -> raise "no EXIT from the supervisor"
    end
  end

  defp cleanup(sup, col, attempts) do
    live = GenServer.call(col, :live_pids)
    Process.unlink(sup)
    Process.exit(sup, :kill)
    Enum.each(live, &Process.exit(&1, :kill))
    GenServer.stop(col)
    :ets.delete(attempts)

    receive do
      {:EXIT, ^sup, _} -> :ok
    after
      0 -> :ok
    end
  end

  # -- clock ------------------------------------------------------------------------------------

  def now_ms, do: :erlang.monotonic_time(:millisecond)

  # Sleep most of the way, then spin for the last millisecond or two, so a step starts within
  # about a millisecond of its time.
  def wait_until(target) do
    left = target - now_ms()

    cond do
      left <= 0 -> :ok
      left > 3 -> Process.sleep(left - 2); wait_until(target)
      true -> spin(target)
    end
  end

  defp spin(target) do
    if now_ms() < target, do: spin(target), else: :ok
  end
end

# ---------------------------------------------------------------------------------------------
# 4b. Tree runner: supervisors of a tree file (docs/tree-scenarios.md)
# ---------------------------------------------------------------------------------------------
defmodule Oracle.TreeSup do
  @moduledoc false

  # A static supervisor is OTP's `supervisor` with this module as its callback module and map
  # child specs, so that `significant` and `auto_shutdown` (which Elixir 1.14's Supervisor.init/2
  # does not accept) reach it; a dynamic one is Elixir's DynamicSupervisor. Both are registered
  # under their NAME as a local atom.
  @behaviour :supervisor

  @impl true
  def init({name, ctx}) do
    d = ctx.scn.sups[name]
    flags = %{strategy: d.strategy, intensity: d.max_restarts, period: d.max_seconds, auto_shutdown: d.auto_shutdown}
    specs = for c <- ctx.scn.order[name], not child_decl(ctx, c).later, do: spec(c, ctx)
    {:ok, {flags, specs}}
  end

  # Starts the process of supervisor `name` (linked to the caller).
  def start_sup(name, ctx) do
    d = ctx.scn.sups[name]
    atom = String.to_atom(name)

    case d.kind do
      :static ->
        :supervisor.start_link({:local, atom}, __MODULE__, {name, ctx})

      :dynamic ->
        DynamicSupervisor.start_link(name: atom, strategy: :one_for_one, max_children: d.max_children,
          max_restarts: d.max_restarts, max_seconds: d.max_seconds)
    end
  end

  # The start function of a child supervisor: runs inside its parent (start-up, start_child and
  # restarts alike), takes the next attempt number K and reports `up NAME#K` once start_link
  # has returned (all its children started), or `fail NAME#K REASON`.
  def start_link(name, ctx) do
    k = :ets.update_counter(ctx.attempts, name, 1, {name, 0})
    ref = "#{name}##{k}"

    case start_sup(name, ctx) do
      {:ok, pid} ->
        GenServer.call(ctx.collector, {:up, ref, pid, self(), :sup}, :infinity)
        {:ok, pid}

      {:error, reason} = err ->
        text = GenServer.call(ctx.collector, {:format, reason}, :infinity)
        GenServer.call(ctx.collector, {:event, "fail #{ref} #{text}"}, :infinity)
        err
    end
  end

  def child_decl(ctx, name), do: ctx.scn.sups[name] || ctx.scn.workers[name]

  # The child spec of child or template `name` (a map; `significant` only under a static parent).
  def spec(name, ctx) do
    d = child_decl(ctx, name)

    base =
      if Map.has_key?(ctx.scn.sups, name),
        do: %{start: {__MODULE__, :start_link, [name, ctx]}, type: :supervisor},
        else: %{start: {Oracle.Worker, :start_link, [name, d, ctx]}, type: :worker}

    base = Map.merge(base, %{id: String.to_atom(name), restart: d.restart, shutdown: d.shutdown})
    if d.significant, do: Map.put(base, :significant, true), else: base
  end
end

defmodule Oracle.TreeRunner do
  @moduledoc false
  import Oracle.Runner, only: [wait_until: 1, now_ms: 0, flush: 3, call_sup: 3, pid_of: 2, dead_pid: 0]

  @settle_cap_ms 10_000

  def run(scn, file, align? \\ true) do
    Process.flag(:trap_exit, true)
    attempts = :ets.new(:attempts, [:public, :set])
    {:ok, col} = Oracle.Collector.start()
    ctx = %{attempts: attempts, collector: col, scn: scn}

    now = now_ms()
    t0 = if align?, do: (Integer.floor_div(now, 1000) + 1) * 1000, else: now
    wait_until(t0)

    :ets.insert(attempts, {scn.root, 1})
    root_ref = "#{scn.root}#1"

    {init_line, root} =
      case Oracle.TreeSup.start_sup(scn.root, ctx) do
        {:ok, pid} ->
          GenServer.call(col, {:watch_root, root_ref, pid})
          {"@0 init -> ok", pid}

        {:error, reason} ->
          {"@0 init -> error " <> GenServer.call(col, {:format, reason}), nil}
      end

    st = %{root: root, col: col, ctx: ctx, t0: t0, file: file, scn: scn}

    result =
      case settle(st, 0) do
        :ok ->
          Enum.reduce_while(scn.steps, {[], {init_line}}, fn step, {lines, prev} ->
            wait_until(t0 + step.ms)
            lines = flush(st, prev, lines)
            result = op(step.op, step.on || scn.root, st)

            case settle(st, step.line) do
              :ok -> {:cont, {lines, {step.text <> " -> " <> result}}}
              {:error, _} = err -> {:halt, err}
            end
          end)

        err ->
          err
      end

    out =
      case result do
        {:error, _} = err -> err
        {lines, prev} -> {:ok, Enum.reverse(flush(st, prev, lines))}
      end

    cleanup(st, attempts)
    out
  end

  defp fmt(st, reason), do: GenServer.call(st.col, {:format, reason})
  defp ref_of(st, pid), do: GenServer.call(st.col, {:ref_of, pid}) || "?"
  defp static?(st, on), do: st.scn.sups[on].kind == :static

  # -- operations -------------------------------------------------------------------------------

  defp op({:start, name}, on, st) do
    sup = String.to_atom(on)
    spec = Oracle.TreeSup.spec(name, st.ctx)

    if static?(st, on) do
      call_sup(st, fn -> :supervisor.start_child(sup, spec) end, fn
        {:ok, :undefined} -> "ok undefined"
        {:ok, pid} -> "ok " <> ref_of(st, pid)
        {:error, {:already_started, pid}} -> "error already_started " <> ref_of(st, pid)
        {:error, :already_present} -> "error already_present"
        {:error, {what, {:child, _, _, _, _, _, _, _, _}}} -> "error " <> fmt(st, what)
        {:error, what} -> "error " <> fmt(st, what)
      end)
    else
      call_sup(st, fn -> DynamicSupervisor.start_child(sup, spec) end, fn
        {:ok, pid} -> "ok " <> ref_of(st, pid)
        :ignore -> "ignore"
        {:error, reason} -> "error " <> fmt(st, reason)
      end)
    end
  end

  defp op({:terminate, what}, on, st) do
    sup = String.to_atom(on)

    call =
      if static?(st, on),
        do: fn -> :supervisor.terminate_child(sup, String.to_atom(what)) end,
        else: fn -> DynamicSupervisor.terminate_child(sup, pid_of(st, what) || dead_pid()) end

    call_sup(st, call, fn
      :ok -> "ok"
      {:error, reason} -> "error " <> fmt(st, reason)
    end)
  end

  defp op({:restart, name}, on, st) do
    call_sup(st, fn -> :supervisor.restart_child(String.to_atom(on), String.to_atom(name)) end, fn
      {:ok, :undefined} -> "ok undefined"
      {:ok, pid} -> "ok " <> ref_of(st, pid)
      {:error, reason} -> "error " <> fmt(st, reason)
    end)
  end

  defp op({:delete, name}, on, st) do
    call_sup(st, fn -> :supervisor.delete_child(String.to_atom(on), String.to_atom(name)) end, fn
      :ok -> "ok"
      {:error, reason} -> "error " <> fmt(st, reason)
    end)
  end

  defp op(:count, on, st) do
    call_sup(st, fn -> Map.new(:supervisor.count_children(String.to_atom(on))) end, fn c ->
      "active=#{c.active} specs=#{c.specs} supervisors=#{c.supervisors} workers=#{c.workers}"
    end)
  end

  defp op(:which, on, st) do
    call_sup(st, fn -> :supervisor.which_children(String.to_atom(on)) end, fn
      [] ->
        "-"

      list ->
        texts =
          Enum.map(list, fn {id, child, _, _} ->
            x =
              case child do
                :restarting -> "restarting"
                :undefined -> "undefined"
                pid -> ref_of(st, pid)
              end

            if static?(st, on), do: "#{id}=#{x}", else: x
          end)

        texts = if static?(st, on), do: texts, else: Enum.sort(texts)
        Enum.join(texts, " ")
    end)
  end

  defp op(:stop, _on, st) do
    root = st.root

    if root && Process.alive?(root) do
      Process.exit(root, :shutdown)

      receive do
        {:EXIT, ^root, _} -> "ok"
      after
        60_000 -> raise "no EXIT from the root"
      end
    else
      "error noproc"
    end
  end

  defp op({:exit, ref, reason}, _on, st), do: signal(st, ref, fn pid -> send(pid, {:oracle_exit, reason}) end)
  defp op({:kill, ref}, _on, st), do: signal(st, ref, fn pid -> Process.exit(pid, :kill) end)

  defp signal(st, ref, fun) do
    pid = pid_of(st, ref)

    if pid && Process.alive?(pid) do
      mon = Process.monitor(pid)
      fun.(pid)

      receive do
        {:DOWN, ^mon, :process, _, _} -> "ok"
      end
    else
      "dead"
    end
  end

  # -- settling ---------------------------------------------------------------------------------
  #
  # The tree has settled when one pass over every live supervisor (deepest first) finds each of
  # them idle with no work left (as Oracle.Runner's settle: no {:restarting, _} entry, every
  # running child alive, so no EXIT waiting in a mailbox), no live process has a dead parent (a
  # killed supervisor's children still stopping), and the root, if dead, has sent its EXIT.
  # Then the collector waits for the DOWN of every dead process.
  defp settle(st, line) do
    case settle_loop(st, now_ms() + @settle_cap_ms, line) do
      :ok -> GenServer.call(st.col, :sync, :infinity)
      err -> err
    end
  end

  defp settle_loop(st, deadline, line) do
    alive = for {pid, _, _, _} = p <- GenServer.call(st.col, :tree), Process.alive?(pid), do: p

    sups =
      for({pid, kind, _, ref} <- alive, kind in [:sup, :root], do: {pid, ref})
      |> Enum.sort_by(fn {_, ref} -> -depth(st, ref) end)

    statuses = Enum.map(sups, fn {pid, _} -> status(pid) end)
    orphans = for {_, kind, parent, _} <- alive, kind != :root, parent != nil, not Process.alive?(parent), do: parent
    restarting = for {:restarting, name} <- statuses, do: name

    cond do
      Enum.all?(statuses, &(&1 == :ok)) and orphans == [] ->
        :ok

      restarting != [] and now_ms() > deadline ->
        {:error,
         "#{st.file}:#{line}: the scenario does not settle: the restart of child `#{hd(restarting)}` " <>
           "is retried forever (still retrying after #{div(@settle_cap_ms, 1000)} s)"}

      true ->
        Process.sleep(1)
        settle_loop(st, deadline, line)
    end
  end

  defp depth(st, ref) do
    [name | _] = String.split(ref, "#")
    st.scn.sups[name].depth
  end

  defp status(pid) do
    state =
      try do
        :sys.get_state(pid, :infinity)
      catch
        :exit, _ -> :dead
      end

    case state do
      :dead ->
        :dead

      # OTP's supervisor: #state{children = {Ids, Db}}, Db: id => #child{pid = ...}
      state when elem(state, 0) == :state ->
        {_ids, db} = elem(state, 3)
        children = Map.values(db)

        case for({:child, {:restarting, _}, id, _, _, _, _, _, _} <- children, do: id) do
          [id | _] -> {:restarting, id}
          [] -> if Enum.all?(children, fn c -> not is_pid(elem(c, 1)) or Process.alive?(elem(c, 1)) end), do: :ok, else: :busy
        end

      %{children: children} ->
        case for({_, {:restarting, {{_, _, [name | _]}, _, _, _, _}}} <- children, do: name) do
          [name | _] -> {:restarting, name}
          [] -> if Enum.all?(Map.keys(children), &Process.alive?/1), do: :ok, else: :busy
        end
    end
  end

  defp cleanup(st, attempts) do
    live = GenServer.call(st.col, :live_pids)
    Enum.each(live, &Process.unlink/1)
    Enum.each(live, &Process.exit(&1, :kill))
    GenServer.stop(st.col)
    :ets.delete(attempts)
    flush_exits()
  end

  defp flush_exits do
    receive do
      {:EXIT, _, _} -> flush_exits()
    after
      0 -> :ok
    end
  end
end

# ---------------------------------------------------------------------------------------------
# 5. Main
# ---------------------------------------------------------------------------------------------
defmodule Oracle.Main do
  @moduledoc false

  # Loads and exercises every code path (modules, the supervisor, restarts, shutdown) before the
  # first real t=0, so the first scenario does not pay for code loading.
  @warm_up """
  supervisor max_restarts=5
  child w trap_exit=true stop_ms=1 init=ok,stop:x,ignore,ok
  child t restart=transient shutdown=brutal_kill
  at 0 start w
  at 0 start t
  at 0 exit w#1 boom
  at 0 start w
  at 0 kill t#1
  at 0 count
  at 0 which
  at 0 terminate w#4
  at 0 terminate w#9
  at 0 start w
  at 0 suspend
  at 0 start t
  at 0 kill t#2
  at 0 count
  at 0 which
  at 0 terminate w#9
  at 0 resume
  at 0 stop
  at 0 start w
  """

  # The same for tree files: static and dynamic supervisors, every static call, a failed start.
  @tree_warm_up """
  sup wroot strategy=one_for_all max_restarts=5
  child wa trap_exit=true stop_ms=1
  sup wmid in=wroot kind=dynamic
  child wt in=wmid init=ok,ignore,stop:x
  sup wlow in=wroot strategy=rest_for_one later=true
  child wb in=wlow
  at 0 on wmid start wt
  at 0 on wmid start wt
  at 0 on wmid start wt
  at 0 on wmid which
  at 0 on wmid count
  at 0 start wlow
  at 0 exit wa#1 boom
  at 0 which
  at 0 count
  at 0 terminate wlow
  at 0 restart wlow
  at 0 terminate wlow
  at 0 delete wlow
  at 0 kill wmid#2
  at 0 stop
  """

  # A file is a tree file (docs/tree-scenarios.md) when it has a `sup` line.
  defp parse_file(path) do
    case File.read(path) do
      {:ok, text} ->
        if Oracle.TreeScenario.tree_text?(text),
          do: Oracle.TreeScenario.parse(text, path),
          else: Oracle.Scenario.parse(text, path)

      {:error, _} ->
        Oracle.Scenario.parse_file(path)
    end
  end

  def main(files) do
    if files == [] do
      IO.puts(:stderr, "usage: elixir tests/conformance/oracle.exs FILE...")
      System.halt(2)
    end

    # Parse every file first: a bad file means nothing runs.
    parsed = Enum.map(files, fn f -> {f, parse_file(f)} end)
    bad = for {_, {:error, msg}} <- parsed, do: msg

    if bad != [] do
      Enum.each(bad, &IO.puts(:stderr, &1))
      System.halt(2)
    end

    {:ok, warm} = Oracle.Scenario.parse(@warm_up, "warm-up")
    {:ok, _} = Oracle.Runner.run(warm, "warm-up", false)

    if Enum.any?(parsed, fn {_, {:ok, scn}} -> Map.get(scn, :tree, false) end) do
      {:ok, warm} = Oracle.TreeScenario.parse(@tree_warm_up, "tree warm-up")
      {:ok, _} = Oracle.TreeRunner.run(warm, "tree warm-up", false)
    end

    header? = length(files) > 1

    Enum.each(parsed, fn {file, {:ok, scn}} ->
      runner = if Map.get(scn, :tree, false), do: Oracle.TreeRunner, else: Oracle.Runner

      case runner.run(scn, file) do
        {:ok, lines} ->
          if header?, do: IO.puts("== " <> Path.basename(file, ".scn"))
          Enum.each(lines, &IO.puts/1)

        {:error, msg} ->
          IO.puts(:stderr, msg)
          System.halt(2)
      end
    end)
  end
end

Oracle.Main.main(System.argv())
