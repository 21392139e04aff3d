using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Serverless.Api;
using Serverless.Jobs;
using Serverless.Jobs.Classification;
using Serverless.Jobs.Tenancy;

namespace Serverless.App.Functions;

/// <summary><c>POST api/classify</c>: one image classified at once with the warm model cache, the self-host's contract.</summary>
public sealed class ClassifyFunction(JobResources resources, IConfiguration configuration, ClassifyGate gate, TenantPolicy policy)
{
    [Function(nameof(Classify))]
    public async Task<IResult> Classify(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "classify")] HttpRequest request, CancellationToken cancellationToken) =>
        await ClassifyApi.ClassifyAsync(request, resources, configuration, gate, policy, cancellationToken);
}
