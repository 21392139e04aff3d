using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Serverless.Jobs.Tenancy;
using Serverless.Storage;
using Serverless.Drops;
using Serverless.Drops.Watching;

namespace Serverless.Api;

/// <summary>
/// <c>POST /api/drops/notify</c>: the webhook for MinIO bucket notifications and Event Grid
/// BlobCreated events. It makes the watchers of the notified locations list at once: through the
/// notification queue when the host has a task hub account (workers may be other processes),
/// in process otherwise. Listing stays the source of truth; a lost notification only delays.
/// </summary>
public static class DropsApi
{
    /// <summary>Largest notification body accepted.</summary>
    public const long MaxBodyBytes = 1 << 20;

    public static RouteHandlerBuilder MapDropsApi(this IEndpointRouteBuilder app) =>
        app.MapPost("api/drops/notify", NotifyAsync);

    public static async Task<Results<Ok<DropNotifyResponse>, Ok<EventGridValidationResponse>, ProblemHttpResult>> NotifyAsync(
        HttpRequest request, DropSignals signals, IServiceProvider services, TenantPolicy policy, CancellationToken cancellationToken)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem(new ProblemDetails { Title = "The notification is not JSON.", Detail = ex.Message, Status = 400 });
        }
        if (DropNotificationParser.ValidationCode(body) is { } code)
            return TypedResults.Ok(new EventGridValidationResponse(code));
        var objects = DropNotificationParser.Parse(body);
        if (objects.Count == 0)
            return TypedResults.Problem(new ProblemDetails
            {
                Title = "No created object in the notification.",
                Detail = "Expected an S3/MinIO bucket notification (Records[].s3) or Event Grid BlobCreated events.",
                Status = 400,
            });
        // A tenant's key speaks only of objects inside its tenant's sources, judged before anything is queued or listed.
        var caller = InstanceHandlers.Caller(request.HttpContext);
        foreach (var dropped in objects)
        {
            var location = SourceUri.ObjectLocation(dropped.Kind, dropped.Container, dropped.Key);
            if (await policy.CheckSourceAsync(caller, location, cancellationToken) is { Allowed: false } refused)
                return TypedResults.Problem(statusCode: refused.Status, title: "The drop is outside this key's tenant rules.", detail: refused.Detail,
                    extensions: new Dictionary<string, object?> { ["rule"] = refused.Rule, ["field"] = refused.Field });
        }
        if (services.GetService(typeof(DropNotificationQueue)) is DropNotificationQueue queue)
        {
            await queue.EnqueueAsync(objects, cancellationToken);
            return TypedResults.Ok(new DropNotifyResponse(objects.Count, Queued: true, Poked: 0));
        }
        return TypedResults.Ok(new DropNotifyResponse(objects.Count, Queued: false, Poked: signals.Notify(objects)));
    }
}

/// <summary>The answer to a notification: objects read from it, and whether it was queued for the workers or poked in process.</summary>
public sealed record DropNotifyResponse(int Objects, bool Queued, int Poked);

/// <summary>Event Grid's subscription handshake answer.</summary>
public sealed record EventGridValidationResponse(string ValidationResponse);
