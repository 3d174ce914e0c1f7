using Amazon.CDK;
using ConsumerApp;

var app = new App();
_ = new OrdersDatabaseStack(app, "OrdersDatabase", new StackProps
{
    Env = new Amazon.CDK.Environment { Region = "eu-west-1" },
});
app.Synth();
