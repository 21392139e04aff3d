using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Serverless.App;

// The overlay's init container: refuse placeholder keys before the Functions host serves them.
if (args is [FunctionsKeyCheck.Verb, var keys])
    return FunctionsKeyCheck.Run(keys, Console.Error);

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddBatchInferenceApp();
builder.Build().Run();
return 0;
