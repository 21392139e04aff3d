using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Entities;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;
using CoreEntityId = DurableTask.Core.Entities.EntityId;

namespace Serverless.Host.Durable;

/// <summary>
/// Durable Entities for the self-host's client: signals sent as DTFx's entity request messages
/// (<see cref="ClientEntityHelpers"/>, the format the entity dispatcher reads) and state read
/// through the Azure Storage service's entity queries. What the scheduler's API needs: signal and
/// get; listing and cleaning entity storage are left to DTFx's tools.
/// </summary>
internal sealed class AzureStorageEntityClient(AzureStorageOrchestrationService service, DataConverter converter) : DurableEntityClient("serverless")
{
    public override async Task SignalEntityAsync(EntityInstanceId id, string operationName, object? input = null, SignalEntityOptions? options = null,
        CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var target = new OrchestrationInstance { InstanceId = CoreId(id).ToString() };
        (DateTime Original, DateTime Capped)? at = options?.SignalTime is { } time ? (time.UtcDateTime, time.UtcDateTime) : null;
        var signal = ClientEntityHelpers.EmitOperationSignal(target, Guid.NewGuid(), operationName, converter.Serialize(input), at);
        await service.SendTaskOrchestrationMessageAsync(signal.AsTaskMessage()).ConfigureAwait(false);
    }

    public override async Task<EntityMetadata?> GetEntityAsync(EntityInstanceId id, bool includeState = true, CancellationToken cancellation = default)
    {
        var found = await Queries.GetEntityAsync(CoreId(id), includeState, includeStateless: false, cancellation).ConfigureAwait(false);
        return found is not { } entity
            ? null
            : new EntityMetadata(id, includeState && entity.SerializedState is { } state ? new SerializedData(state, converter) : null)
            {
                LastModifiedTime = entity.LastModifiedTime,
            };
    }

    public override async Task<EntityMetadata<T>?> GetEntityAsync<T>(EntityInstanceId id, bool includeState = true, CancellationToken cancellation = default)
    {
        var found = await Queries.GetEntityAsync(CoreId(id), includeState, includeStateless: false, cancellation).ConfigureAwait(false);
        if (found is not { } entity)
            return null;
        return includeState && entity.SerializedState is { } state
            ? new EntityMetadata<T>(id, converter.Deserialize<T>(state)!) { LastModifiedTime = entity.LastModifiedTime }
            : new EntityMetadata<T>(id) { LastModifiedTime = entity.LastModifiedTime };
    }

    public override AsyncPageable<EntityMetadata> GetAllEntitiesAsync(EntityQuery? filter = null) =>
        throw new NotSupportedException("the self-host's client reads entities by id only");

    public override AsyncPageable<EntityMetadata<T>> GetAllEntitiesAsync<T>(EntityQuery? filter = null) =>
        throw new NotSupportedException("the self-host's client reads entities by id only");

    public override Task<CleanEntityStorageResult> CleanEntityStorageAsync(CleanEntityStorageRequest? request = null, bool continueUntilComplete = true,
        CancellationToken cancellation = default) =>
        throw new NotSupportedException("the self-host's client does not clean entity storage");

    private EntityBackendQueries Queries => ((DurableTask.Core.Entities.IEntityOrchestrationService)service).EntityBackendQueries
        ?? throw new InvalidOperationException("the task hub's service has no entity support");

    private static CoreEntityId CoreId(EntityInstanceId id) => new(id.Name, id.Key);
}
