using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker.Http;

namespace Serverless.App;

/// <summary>RFC 9457 problem details on the Functions worker's own response type, shaped as ASP.NET Core writes them.</summary>
internal static class ProblemResponses
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<HttpResponseData> ValidationAsync(HttpRequestData request, IDictionary<string, string[]> errors, string title, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse(HttpStatusCode.BadRequest);
        response.Headers.Add("Content-Type", "application/problem+json");
        var problem = new HttpValidationProblemDetails(errors)
        {
            Title = title,
            Status = StatusCodes.Status400BadRequest,
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        };
        await JsonSerializer.SerializeAsync(response.Body, problem, Json, cancellationToken);
        return response;
    }

    public static async Task<HttpResponseData> ProblemAsync(HttpRequestData request, HttpStatusCode status, string title, string detail, CancellationToken cancellationToken,
        IDictionary<string, object?>? extensions = null)
    {
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", "application/problem+json");
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Title = title, Status = (int)status, Detail = detail };
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
            problem.Extensions[name] = value;
        await JsonSerializer.SerializeAsync(response.Body, problem, Json, cancellationToken);
        return response;
    }
}
