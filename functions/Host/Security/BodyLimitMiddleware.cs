using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Serverless.Host.Security;

/// <summary>
/// Applies the endpoint's <see cref="BodyLimitMetadata"/> (or the default limit): a declared
/// <c>Content-Length</c> over it is refused at once with 413; a chunked body is cut off by the
/// server when it passes the limit (Kestrel's <see cref="BadHttpRequestException"/>, also a 413).
/// </summary>
public sealed class BodyLimitMiddleware(RequestDelegate next, HttpSecurityOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<BodyLimitMetadata>()?.MaxBytes ?? options.DefaultBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await KeyAuthorizationMiddleware.Problem(context, StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
                $"{context.Request.ContentLength} bytes exceed the limit of {limit} bytes for this endpoint.");
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        await next(context);
    }
}
