using Serverless.Orchestrations.Core;

namespace Serverless.Orchestrations.Client;

/// <summary>The status of an orchestration instance as a client sees it.</summary>
public sealed class OrchestrationMetadata
{
    private readonly DataConverter _converter;

    internal OrchestrationMetadata(OrchestrationState state, DataConverter converter)
    {
        _converter = converter;
        Name = state.Name;
        InstanceId = state.InstanceId;
        RuntimeStatus = state.RuntimeStatus;
        CreatedAt = state.CreatedAt;
        LastUpdatedAt = state.LastUpdatedAt;
        SerializedInput = state.Input;
        SerializedOutput = state.Output;
        SerializedCustomStatus = state.CustomStatus;
        FailureDetails = state.FailureDetails;
    }

    /// <summary>The orchestrator name.</summary>
    public string Name { get; }

    /// <summary>The instance id.</summary>
    public string InstanceId { get; }

    /// <summary>Pending, Running, Completed, Failed or Terminated.</summary>
    public OrchestrationRuntimeStatus RuntimeStatus { get; }

    /// <summary>When the instance was scheduled (UTC).</summary>
    public DateTime CreatedAt { get; }

    /// <summary>When its status last changed (UTC).</summary>
    public DateTime LastUpdatedAt { get; }

    /// <summary>The input as JSON (null unless inputs and outputs were requested).</summary>
    public string? SerializedInput { get; }

    /// <summary>The output as JSON (null unless requested, or while running).</summary>
    public string? SerializedOutput { get; }

    /// <summary>The custom status as JSON.</summary>
    public string? SerializedCustomStatus { get; }

    /// <summary>Why it failed, for Failed instances.</summary>
    public FailureDetails? FailureDetails { get; }

    /// <summary>True for Pending and Running.</summary>
    public bool IsRunning => !RuntimeStatus.IsTerminal();

    /// <summary>True for Completed, Failed and Terminated.</summary>
    public bool IsCompleted => RuntimeStatus.IsTerminal();

    /// <summary>Reads the input as <typeparamref name="T"/>.</summary>
    public T? ReadInputAs<T>() => _converter.Deserialize<T>(SerializedInput);

    /// <summary>Reads the output as <typeparamref name="T"/>.</summary>
    public T? ReadOutputAs<T>() => _converter.Deserialize<T>(SerializedOutput);

    /// <summary>Reads the custom status as <typeparamref name="T"/>.</summary>
    public T? ReadCustomStatusAs<T>() => _converter.Deserialize<T>(SerializedCustomStatus);
}
