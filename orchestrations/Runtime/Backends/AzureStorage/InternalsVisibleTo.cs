using System.Runtime.CompilerServices;

// The Azure Storage tests drive the History store and the crash hook directly.
[assembly: InternalsVisibleTo("Serverless.Orchestrations.Tests")]
