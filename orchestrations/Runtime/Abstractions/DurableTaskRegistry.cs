using Microsoft.Extensions.DependencyInjection;

namespace Serverless.Orchestrations;

/// <summary>
/// The orchestrators and activities a worker can run, by name (case-insensitive). Types are
/// created per invocation through the service provider, so they can take dependencies.
/// </summary>
public sealed class DurableTaskRegistry
{
    private readonly Dictionary<string, Func<IServiceProvider, ITaskOrchestrator>> _orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<IServiceProvider, ITaskActivity>> _activities = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers an orchestrator type under its class name (or <paramref name="name"/>).</summary>
    public DurableTaskRegistry AddOrchestrator<TOrchestrator>(string? name = null) where TOrchestrator : class, ITaskOrchestrator =>
        AddOrchestrator(name ?? typeof(TOrchestrator).Name, sp => ActivatorUtilities.CreateInstance<TOrchestrator>(sp));

    /// <summary>Registers an orchestrator factory.</summary>
    public DurableTaskRegistry AddOrchestrator(string name, Func<IServiceProvider, ITaskOrchestrator> factory)
    {
        if (!_orchestrators.TryAdd(name, factory))
            throw new ArgumentException($"An orchestrator named '{name}' is already registered.", nameof(name));
        return this;
    }

    /// <summary>Registers an orchestrator function.</summary>
    public DurableTaskRegistry AddOrchestratorFunc<TInput, TOutput>(string name, Func<TaskOrchestrationContext, TInput, Task<TOutput>> orchestrator) =>
        AddOrchestrator(name, _ => new FuncOrchestrator<TInput, TOutput>(orchestrator));

    /// <summary>Registers an orchestrator function without input.</summary>
    public DurableTaskRegistry AddOrchestratorFunc<TOutput>(string name, Func<TaskOrchestrationContext, Task<TOutput>> orchestrator) =>
        AddOrchestratorFunc<object?, TOutput>(name, (context, _) => orchestrator(context));

    /// <summary>Registers an activity type under its class name (or <paramref name="name"/>).</summary>
    public DurableTaskRegistry AddActivity<TActivity>(string? name = null) where TActivity : class, ITaskActivity =>
        AddActivity(name ?? typeof(TActivity).Name, sp => ActivatorUtilities.CreateInstance<TActivity>(sp));

    /// <summary>Registers an activity factory.</summary>
    public DurableTaskRegistry AddActivity(string name, Func<IServiceProvider, ITaskActivity> factory)
    {
        if (!_activities.TryAdd(name, factory))
            throw new ArgumentException($"An activity named '{name}' is already registered.", nameof(name));
        return this;
    }

    /// <summary>Registers an asynchronous activity function.</summary>
    public DurableTaskRegistry AddActivityFunc<TInput, TOutput>(string name, Func<TaskActivityContext, TInput, Task<TOutput>> activity) =>
        AddActivity(name, _ => new FuncActivity<TInput, TOutput>(activity));

    /// <summary>Registers a synchronous activity function.</summary>
    public DurableTaskRegistry AddActivityFunc<TInput, TOutput>(string name, Func<TaskActivityContext, TInput, TOutput> activity) =>
        AddActivityFunc<TInput, TOutput>(name, (context, input) => Task.FromResult(activity(context, input)));

    /// <summary>Creates the orchestrator registered under <paramref name="name"/>, or null.</summary>
    public ITaskOrchestrator? CreateOrchestrator(string name, IServiceProvider services) =>
        _orchestrators.TryGetValue(name, out var factory) ? factory(services) : null;

    /// <summary>Creates the activity registered under <paramref name="name"/>, or null.</summary>
    public ITaskActivity? CreateActivity(string name, IServiceProvider services) =>
        _activities.TryGetValue(name, out var factory) ? factory(services) : null;
}
