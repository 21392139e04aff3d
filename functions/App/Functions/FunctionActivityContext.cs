using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Serverless.App.Functions;

/// <summary>The Durable Task activity context of a Functions activity invocation (name, and the orchestration's instance id).</summary>
internal sealed class FunctionActivityContext(TaskName name, FunctionContext function) : TaskActivityContext
{
    public override TaskName Name => name;

    public override string InstanceId =>
        function.BindingContext.BindingData.TryGetValue("instanceId", out var id) && id is not null ? id.ToString()! : string.Empty;
}
