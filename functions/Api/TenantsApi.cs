using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;
using Serverless.Jobs.Scheduling;
using Serverless.Jobs.Tenancy;

namespace Serverless.Api;

/// <summary>
/// The platform admin's routes (the master key): tenants (<c>PUT/GET/DELETE api/tenants/{name}</c>,
/// <c>GET api/tenants</c>) and their keys (<c>POST api/keys</c> answers the new key once,
/// <c>GET api/keys</c> lists ids, tenants, roles and dates, never a key, <c>DELETE api/keys/{id}</c>).
/// Bad input is a 400 naming the field, an unknown tenant or key a 404.
/// </summary>
public static class TenantsApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapTenantsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("api");
        group.MapGet("tenants", ListTenantsAsync);
        group.MapGet("tenants/{name}", GetTenantAsync);
        group.MapPut("tenants/{name}", SetTenantAsync);
        group.MapDelete("tenants/{name}", DeleteTenantAsync);
        group.MapPost("keys", CreateKeyAsync);
        group.MapGet("keys", ListKeysAsync);
        group.MapDelete("keys/{id}", RevokeKeyAsync);
        return group;
    }

    public static async Task<Ok<TenantList>> ListTenantsAsync(TenantStore store, CancellationToken cancellationToken)
    {
        var snapshot = await store.GetAsync(cancellationToken);
        return TypedResults.Ok(new TenantList(snapshot.Document.Tenants, snapshot.Problem));
    }

    public static async Task<Results<Ok<Tenant>, ProblemHttpResult>> GetTenantAsync(string name, TenantStore store, CancellationToken cancellationToken) =>
        (await store.GetAsync(cancellationToken)).Find(name) is { } tenant ? TypedResults.Ok(tenant) : NoTenant(name);

    public static async Task<Results<Ok<Tenant>, ValidationProblem, ProblemHttpResult>> SetTenantAsync(
        string name, HttpRequest request, TenantAdministration administration, SchedulerControl scheduler, DurableTaskClient client, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await ReadAsync<TenantBody>(request, cancellationToken);
        if (body is null)
            return Invalid("body", bodyError!);
        var errors = Tenant.Validate(name, body.AllowSources, body.AllowOutputs, body.ModelsDir);
        foreach (var (field, error) in Tenant.ValidateShare(body.Weight, body.MaxUnits, body.MaxRunningJobs, body.MaxImagesPerJob, body.MaxQueuedJobs))
            errors[field] = error;
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors.ToDictionary(e => e.Key, e => new[] { e.Value }), title: "The tenant is not valid.");
        var tenant = new Tenant(name, body.AllowSources!, body.AllowOutputs!, body.ModelsDir?.Trim())
        {
            Weight = body.Weight ?? 1,
            MaxUnits = body.MaxUnits,
            MaxRunningJobs = body.MaxRunningJobs,
            MaxImagesPerJob = body.MaxImagesPerJob,
            MaxQueuedJobs = body.MaxQueuedJobs,
        };
        await administration.SetTenantAsync(tenant, cancellationToken);
        // Running jobs follow the new share and quotas from their next call to the scheduler.
        await scheduler.SetTenantAsync(client, name, tenant.Rules(), cancellationToken);
        return TypedResults.Ok(tenant);
    }

    public static async Task<Results<Ok<Deleted>, ProblemHttpResult>> DeleteTenantAsync(
        string name, TenantAdministration administration, SchedulerControl scheduler, DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (!await administration.DeleteTenantAsync(name, cancellationToken))
            return NoTenant(name);
        await scheduler.SetTenantAsync(client, name, rules: null, cancellationToken);
        return TypedResults.Ok(new Deleted(name));
    }

    public static async Task<Results<Created<CreatedKey>, ValidationProblem, ProblemHttpResult>> CreateKeyAsync(
        HttpRequest request, TenantAdministration administration, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, bodyError) = await ReadAsync<KeyBody>(request, cancellationToken);
        if (body is null)
            return Invalid("body", bodyError!);
        if (Tenant.NameError(body.Tenant) is { } nameError)
            return Invalid("tenant", nameError);
        if (!TenantRoles.TryParse(body.Role, out var role))
            return Invalid("role", $"'{body.Role}' is not a role: one of {TenantRoles.Names}");
        if (await administration.CreateKeyAsync(body.Tenant!, role, time.GetUtcNow(), cancellationToken) is not { } made)
            return NoTenant(body.Tenant!);
        var (key, secret) = made;
        return TypedResults.Created($"api/keys/{key.Id}", new CreatedKey(key.Id, key.Tenant, key.Role.Name(), key.Created, secret));
    }

    public static async Task<Ok<KeyList>> ListKeysAsync(TenantStore store, CancellationToken cancellationToken)
    {
        var snapshot = await store.GetAsync(cancellationToken);
        return TypedResults.Ok(new KeyList(snapshot.Document.Keys.Select(k => new KeyInfo(k.Id, k.Tenant, k.Role.Name(), k.Created)).ToArray(), snapshot.Problem));
    }

    public static async Task<Results<Ok<Deleted>, ProblemHttpResult>> RevokeKeyAsync(string id, TenantAdministration administration, CancellationToken cancellationToken) =>
        await administration.RevokeKeyAsync(id, cancellationToken)
            ? TypedResults.Ok(new Deleted(id))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such key.", detail: $"there is no key with id '{id}'");

    private static async Task<(T? Body, string? Error)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Json, cancellationToken) is { } body ? (body, null) : (null, "a JSON object is required");
        }
        catch (JsonException e)
        {
            return (null, $"is not the expected JSON: {e.Message}");
        }
    }

    private static ProblemHttpResult NoTenant(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such tenant.", detail: $"there is no tenant '{name}' (serverless tenants list)");

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request is not valid.");
}

/// <summary>Body of <c>PUT api/tenants/{name}</c>.</summary>
public sealed record TenantBody(IReadOnlyList<string>? AllowSources, IReadOnlyList<string>? AllowOutputs, string? ModelsDir,
    int? Weight = null, int? MaxUnits = null, int? MaxRunningJobs = null, long? MaxImagesPerJob = null, int? MaxQueuedJobs = null);

/// <summary>Body of <c>POST api/keys</c>.</summary>
public sealed record KeyBody(string? Tenant, string? Role);

/// <summary>Answer of <c>GET api/tenants</c>; <c>problem</c> says when the stored document does not parse (the last good one is shown and in force).</summary>
public sealed record TenantList(IReadOnlyList<Tenant> Tenants, string? Problem);

/// <summary>A key as listed: never the key itself.</summary>
public sealed record KeyInfo(string Id, string Tenant, string Role, DateTimeOffset Created);

/// <summary>Answer of <c>GET api/keys</c>.</summary>
public sealed record KeyList(IReadOnlyList<KeyInfo> Keys, string? Problem);

/// <summary>Answer of <c>POST api/keys</c>: the only time the key is shown.</summary>
public sealed record CreatedKey(string Id, string Tenant, string Role, DateTimeOffset Created, string Key);

/// <summary>Answer of a delete: what was deleted.</summary>
public sealed record Deleted(string Name);
