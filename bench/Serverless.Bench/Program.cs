Console.Error.WriteLine("usage: bench/run.sh <inference|orchestration|job|drop>");
return 2;
