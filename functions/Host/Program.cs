return await Serverless.Host.Cli.CommandLine.RunAsync(args);
