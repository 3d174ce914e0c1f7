using RdsStack.App;
using RdsStack.Library;

try
{
    var app = new Amazon.CDK.App(new Amazon.CDK.AppProps { Context = RdsStackApp.OutputContext() });
    RdsStackApp.Build(app);
    app.Synth();
    return 0;
}
catch (InvalidSettingException error)
{
    Console.Error.WriteLine($"RdsStack: {error.Message}");
    return 1;
}
