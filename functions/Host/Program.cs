return Serverless.Host.Cli.CommandLine.Run(args);
