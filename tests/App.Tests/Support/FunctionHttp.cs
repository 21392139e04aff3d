using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace Serverless.App.Tests.Support;

/// <summary>
/// The Functions worker's HTTP request and context types, made by hand the way the worker makes them
/// for an invocation: what a function that takes <c>HttpRequestData</c> needs to be called directly.
/// </summary>
internal sealed class TestFunctionContext(IServiceProvider services, FunctionDefinition? definition = null) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId => "test";
    public override TraceContext TraceContext => throw new NotSupportedException();
    public override BindingContext BindingContext => throw new NotSupportedException();
    public override RetryContext RetryContext => throw new NotSupportedException();
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override FunctionDefinition FunctionDefinition => definition ?? throw new NotSupportedException();
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => throw new NotSupportedException();
}

/// <summary>A function's definition as the worker loads it from functions.metadata: what the middleware reads of it.</summary>
internal sealed class TestFunctionDefinition(string entryPoint) : FunctionDefinition
{
    public override System.Collections.Immutable.ImmutableArray<FunctionParameter> Parameters => [];
    public override string PathToAssembly => typeof(Serverless.App.AppServices).Assembly.Location;
    public override string EntryPoint => entryPoint;
    public override string Id => entryPoint;
    public override string Name => entryPoint[(entryPoint.LastIndexOf('.') + 1)..];
    public override System.Collections.Immutable.IImmutableDictionary<string, BindingMetadata> InputBindings =>
        System.Collections.Immutable.ImmutableDictionary<string, BindingMetadata>.Empty;
    public override System.Collections.Immutable.IImmutableDictionary<string, BindingMetadata> OutputBindings =>
        System.Collections.Immutable.ImmutableDictionary<string, BindingMetadata>.Empty;
}

internal sealed class TestHttpRequestData(FunctionContext context, string method, Uri url, string body) : HttpRequestData(context)
{
    public override Stream Body { get; } = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
    public override HttpHeadersCollection Headers { get; } = [];
    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];
    public override Uri Url => url;
    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];
    public override string Method => method;
    public override HttpResponseData CreateResponse() => new TestHttpResponseData(FunctionContext);
}

internal sealed class TestHttpResponseData(FunctionContext context) : HttpResponseData(context)
{
    public override System.Net.HttpStatusCode StatusCode { get; set; }
    public override HttpHeadersCollection Headers { get; set; } = [];
    public override Stream Body { get; set; } = new MemoryStream();
    public override HttpCookies Cookies => throw new NotSupportedException();

    public string ReadBody() => System.Text.Encoding.UTF8.GetString(((MemoryStream)Body).ToArray());
}
