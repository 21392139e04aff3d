return await Serverless.Cli.CommandLine.RunAsync(args);
