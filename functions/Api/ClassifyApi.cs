using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Serverless.Jobs;
using Serverless.Jobs.Classification;
using Serverless.Jobs.Tenancy;
using Serverless.Inference;

namespace Serverless.Api;

/// <summary>
/// <c>POST /api/classify</c>: one image in the body (raw bytes, or multipart/form-data with a
/// <c>file</c> field), classified at once with the warm model cache. Parameters in the query or
/// the form: <c>model</c> (a name in the models root; default <c>classify:defaultModel</c>), <c>top</c> (default 5),
/// <c>preset</c>. A bad image is a 400 whose <c>code</c> is the inference reason code. At most
/// <see cref="ClassifyGate.MaxConcurrent"/> requests run at once (a tenant's key: its share); past
/// it a 429 with <c>Retry-After</c>, taken before the body is read, never a queue.
/// </summary>
public static class ClassifyApi
{
    public const string DefaultModelSetting = "classify:defaultModel";

    public static RouteHandlerBuilder MapClassifyApi(this IEndpointRouteBuilder app) =>
        app.MapPost("api/classify", ClassifyAsync);

    public static async Task<Results<Ok<ClassifyResponse>, ValidationProblem, ProblemHttpResult>> ClassifyAsync(
        HttpRequest request, JobResources resources, IConfiguration configuration, ClassifyGate gate, TenantPolicy policy, CancellationToken cancellationToken)
    {
        var caller = request.HttpContext.Features.Get<CallerIdentity>();
        using var slot = gate.TryEnter(caller?.IsTenantKey == true ? caller.Tenant : null, out var refusal);
        if (slot is null)
        {
            request.HttpContext.Response.Headers.RetryAfter = gate.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many classifications at once.",
                detail: $"{refusal}; retry after {gate.RetryAfterSeconds} s.");
        }
        return await ClassifyOneAsync(request, resources, configuration, policy, caller ?? CallerIdentity.Implicit, cancellationToken);
    }

    private static async Task<Results<Ok<ClassifyResponse>, ValidationProblem, ProblemHttpResult>> ClassifyOneAsync(
        HttpRequest request, JobResources resources, IConfiguration configuration, TenantPolicy policy, CallerIdentity caller, CancellationToken cancellationToken)
    {
        IFormCollection? form = null;
        try
        {
            form = request.HasFormContentType ? await request.ReadFormAsync(cancellationToken) : null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return Invalid("body", $"is not valid form data: {e.Message}");
        }
        string? Parameter(string name) =>
            request.Query.TryGetValue(name, out var q) && !string.IsNullOrWhiteSpace(q) ? q.ToString()
            : form is not null && form.TryGetValue(name, out var f) && !string.IsNullOrWhiteSpace(f) ? f.ToString() : null;

        var top = 5;
        if (Parameter("top") is { } topText && (!int.TryParse(topText, out top) || top is < 1 or > 1000))
            return Invalid("top", "must be a whole number between 1 and 1000");
        var model = Parameter("model") ?? configuration[DefaultModelSetting];
        if (string.IsNullOrWhiteSpace(model))
            return Invalid("model", $"no model given and {DefaultModelSetting} is not set");
        // Inside the models root, and there: refused with the same answer whether or not such a file exists elsewhere.
        if (resources.ModelsRoot.Resolve(model, out var modelPath) is { } outside)
            return Invalid("model", outside);
        // A tenant's key uses only its tenant's models folder, refused before the file system is asked.
        if (await policy.CheckJobAsync(caller, null, null, modelPath, cancellationToken) is { Allowed: false } refused)
            return TypedResults.Problem(statusCode: refused.Status, title: "The model is not allowed to this key's tenant.", detail: refused.Detail,
                extensions: new Dictionary<string, object?> { ["rule"] = refused.Rule });
        if (!File.Exists(modelPath))
            return Invalid("model", $"there is no model '{model}' in the models root ({ModelsRoot.Setting})");
        var preset = Parameter("preset");
        try
        {
            // The cache does not keep failed loads, so a fixed model file works on the next request.
            resources.Model(model, preset);
        }
        catch (ModelLoadException e)
        {
            return Invalid(preset is null ? "model" : "preset", e.Message);
        }

        var (key, bytes) = await ReadImageAsync(request, form, cancellationToken);
        if (bytes is null)
            return Invalid("file", "a multipart request needs the image in a 'file' field");
        // One classifier per model and top-k, shared by concurrent requests (thread-safe, pooled tensors).
        using var lease = resources.Classifier(model, preset, batchSize: 1, top);
        var predictions = await lease.Classifier.ClassifyAsync([new ImageInput(key, bytes)], cancellationToken);
        var prediction = predictions[0];
        if (prediction.Error is { } error)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The image cannot be classified.",
                detail: error.Message, extensions: new Dictionary<string, object?> { ["code"] = error.Code, ["key"] = key });
        }
        // The model by its name in the models root (a default configured as a full path included), never the host's path.
        return TypedResults.Ok(new ClassifyResponse(key, prediction.Top, resources.ModelsRoot.NameOf(modelPath)));
    }

    private static async Task<(string Key, byte[]? Bytes)> ReadImageAsync(HttpRequest request, IFormCollection? form, CancellationToken cancellationToken)
    {
        var name = request.Query.TryGetValue("key", out var k) && !string.IsNullOrWhiteSpace(k) ? k.ToString() : null;
        if (form is not null)
        {
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null)
                return (name ?? "image", null);
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, cancellationToken);
            return (name ?? file.FileName, buffer.ToArray());
        }
        using var body = new MemoryStream(request.ContentLength is > 0 and < int.MaxValue ? (int)request.ContentLength : 0);
        // Over the endpoint's body limit the server stops the read (413).
        await request.Body.CopyToAsync(body, cancellationToken);
        return (name ?? "image", body.ToArray());
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The classify request is not valid.");
}

/// <summary>Answer of <c>POST /api/classify</c>: the image's key, its top classes best first, and the model used.</summary>
public sealed record ClassifyResponse(string Key, IReadOnlyList<TopClass> Top, string Model);
