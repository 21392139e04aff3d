using System.Runtime.CompilerServices;

// The end-to-end project also unit-tests a few internal pieces of the host (the drop micro-batcher).
[assembly: InternalsVisibleTo("Serverless.EndToEnd.Tests")]
