using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;

namespace Serverless.Host.Durable;

/// <summary>
/// Makes a fresh DurableTask.Core orchestration for each work item: the shim wraps a new
/// instance of the <c>TaskOrchestrator&lt;,&gt;</c> class, since shims hold per-run state.
/// </summary>
internal sealed class OrchestrationShimCreator : ObjectCreator<TaskOrchestration>
{
    private readonly Type type;
    private readonly DurableTaskShimFactory shims;
    private readonly IServiceProvider services;

    public OrchestrationShimCreator(string name, Type type, DurableTaskShimFactory shims, IServiceProvider services)
    {
        Name = name;
        Version = string.Empty;
        this.type = type;
        this.shims = shims;
        this.services = services;
    }

    public override TaskOrchestration Create() =>
        shims.CreateOrchestration(Name, (ITaskOrchestrator)ActivatorUtilities.CreateInstance(services, type));
}

/// <summary>
/// Makes a DurableTask.Core activity for each work item: the <c>TaskActivity&lt;,&gt;</c> class from
/// the container, wrapped by its shim and by <see cref="DrainingActivity"/>. Registered under
/// version "", the version the orchestration shims schedule activities with.
/// </summary>
internal sealed class ActivityShimCreator : ObjectCreator<TaskActivity>
{
    private readonly Type type;
    private readonly DurableTaskShimFactory shims;
    private readonly IServiceProvider services;
    private readonly ActivityDrain drain;

    public ActivityShimCreator(string name, Type type, DurableTaskShimFactory shims, IServiceProvider services, ActivityDrain drain)
    {
        Name = name;
        Version = string.Empty;
        this.type = type;
        this.shims = shims;
        this.services = services;
        this.drain = drain;
    }

    public override TaskActivity Create() =>
        new DrainingActivity(Name, shims.CreateActivity(Name, (ITaskActivity)services.GetRequiredService(type)), drain);
}

/// <summary>
/// Makes the DurableTask.Core entity for each batch of operations: a fresh instance of the
/// <c>TaskEntity&lt;TState&gt;</c> class from the container, wrapped by its shim, which needs the
/// entity's id (DTFx passes it only with the batch).
/// </summary>
internal sealed class EntityShimCreator : ObjectCreator<DurableTask.Core.Entities.TaskEntity>
{
    private readonly Type type;
    private readonly DurableTaskShimFactory shims;
    private readonly IServiceProvider services;

    public EntityShimCreator(string name, Type type, DurableTaskShimFactory shims, IServiceProvider services)
    {
        Name = name;
        Version = string.Empty;
        this.type = type;
        this.shims = shims;
        this.services = services;
    }

    public override DurableTask.Core.Entities.TaskEntity Create() => new Batch(this);

    private sealed class Batch(EntityShimCreator creator) : DurableTask.Core.Entities.TaskEntity
    {
        public override Task<DurableTask.Core.Entities.OperationFormat.EntityBatchResult> ExecuteOperationBatchAsync(
            DurableTask.Core.Entities.OperationFormat.EntityBatchRequest operations)
        {
            var id = DurableTask.Core.Entities.EntityId.FromString(operations.InstanceId!);
            var entity = (Microsoft.DurableTask.Entities.ITaskEntity)ActivatorUtilities.CreateInstance(creator.services, creator.type);
            return creator.shims.CreateEntity(id.Name, entity, id).ExecuteOperationBatchAsync(operations);
        }
    }
}
